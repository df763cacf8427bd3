using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Oteleport.Hosting.AspNetCore;
using Oteleport.Options;

namespace Oteleport.Server;

/// <summary>
/// The Kestrel listeners that the options ask for, and which parts of Oteleport each serves (so the
/// API does not answer on the OTLP port and the other way round, as with the Go server's separate listeners).
/// </summary>
internal sealed record Listener(string Address, IPEndPoint? EndPoint, bool IsLocalhost, int Port, HashSet<OteleportSurface> Surfaces)
{
    /// <summary>gRPC without TLS needs an HTTP/2-only endpoint (cleartext has no protocol negotiation).</summary>
    public bool IsGrpc => Surfaces.Contains(OteleportSurface.OtlpGrpc) || Surfaces.Contains(OteleportSurface.ApiGrpc);

    public HttpProtocols Protocols => IsGrpc ? HttpProtocols.Http2 : HttpProtocols.Http1;
}

internal static class ListenerPlan
{
    /// <summary>The listeners of the options.</summary>
    /// <param name="options">The options.</param>
    /// <param name="hasKestrelEndpoints">
    /// Whether Kestrel has endpoints of its own configuration (<c>Kestrel:Endpoints</c>), which serve every
    /// part: then the options may turn every listener of their own off (empty addresses).
    /// </param>
    public static List<Listener> From(OteleportOptions options, bool hasKestrelEndpoints = false)
    {
        var listeners = new List<Listener>();
        void Add(string setting, ListenerOptions listener, bool parentEnabled, params OteleportSurface[] surfaces)
        {
            if (!(listener.Enable ?? parentEnabled) || string.IsNullOrWhiteSpace(listener.Address))
            {
                return;
            }
            var (endPoint, isLocalhost, port) = ParseAddress(setting, listener.Address);
            var existing = listeners.Find(l => l.Port == port && l.Port != 0 && Equals(l.EndPoint, endPoint) && l.IsLocalhost == isLocalhost);
            if (existing is null)
            {
                listeners.Add(new Listener(listener.Address, endPoint, isLocalhost, port, [.. surfaces, OteleportSurface.Health]));
                return;
            }
            var wasGrpc = existing.IsGrpc;
            existing.Surfaces.UnionWith(surfaces);
            if (wasGrpc != existing.IsGrpc || (existing.IsGrpc && existing.Surfaces.Overlaps([OteleportSurface.OtlpHttp, OteleportSurface.ApiHttp])))
            {
                throw new InvalidOperationException(
                    $"{setting} ({listener.Address}) is also a gRPC address: gRPC without TLS needs a port of its own.");
            }
        }
        Add("otlp.grpc.address", options.Otlp.Grpc, options.Otlp.Enable ?? true, OteleportSurface.OtlpGrpc, OteleportSurface.ApiGrpc);
        Add("otlp.http.address", options.Otlp.Http, options.Otlp.Enable ?? true, OteleportSurface.OtlpHttp);
        Add("api.http.address", options.Api.Http, options.Api.Enable ?? true, OteleportSurface.ApiHttp);
        Add("api.grpc.address", options.Api.Grpc, options.Api.Enable ?? true, OteleportSurface.ApiGrpc);
        if (listeners.Count == 0 && !hasKestrelEndpoints)
        {
            throw new InvalidOperationException("Every listener is disabled: enable otlp.grpc, otlp.http or api.http, or configure Kestrel:Endpoints.");
        }
        return listeners;
    }

    /// <summary>Reads <c>host:port</c>, <c>:port</c> (all interfaces, as in Go), <c>[::1]:port</c> or <c>localhost:port</c>.</summary>
    public static (IPEndPoint? EndPoint, bool IsLocalhost, int Port) ParseAddress(string setting, string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{setting}: '{address}' is not host:port (e.g. 0.0.0.0:4317 or :4317)");
        }
        var host = address[..colon].Trim('[', ']');
        if (host.Length == 0 || host == "*" || host == "+")
        {
            return (new IPEndPoint(IPAddress.Any, port), false, port);
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return (null, true, port);
        }
        if (!IPAddress.TryParse(host, out var ip))
        {
            throw new InvalidOperationException($"{setting}: '{host}' is not an IP address or localhost");
        }
        return (new IPEndPoint(ip, port), false, port);
    }
}
