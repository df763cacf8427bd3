using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>
/// Kestrel's own socket transport, except that every endpoint Kestrel is told to listen on is bound on a
/// free loopback port instead, and remembered. A server configured for the fixed default ports (which
/// another process on the machine may hold) can so be started and reached deterministically.
/// </summary>
internal sealed class RemappingTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);

    /// <summary>What Kestrel asked for, and where it was really bound.</summary>
    public ConcurrentDictionary<IPEndPoint, IPEndPoint> Bound { get; } = new();

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var requested = (IPEndPoint)endpoint;
        var listener = await _sockets.BindAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken).ConfigureAwait(false);
        Bound[requested] = (IPEndPoint)listener.EndPoint;
        return listener;
    }

    /// <summary>The loopback URL that stands for a requested port.</summary>
    public Uri UrlFor(int requestedPort) =>
        new($"http://127.0.0.1:{Bound.Single(b => b.Key.Port == requestedPort).Value.Port}");
}
