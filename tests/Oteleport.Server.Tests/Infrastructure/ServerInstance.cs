using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>The three loopback ports of one server.</summary>
internal sealed record ServerPorts(int Grpc, int Http, int Api)
{
    public static ServerPorts Free()
    {
        var ports = FreePorts.Take(3);
        return new ServerPorts(ports[0], ports[1], ports[2]);
    }

    /// <summary>The command-line settings that put the listeners on these ports.</summary>
    public string[] ToArgs() =>
    [
        $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{Grpc}",
        $"--Oteleport:Otlp:Http:Address=127.0.0.1:{Http}",
        $"--Oteleport:Api:Http:Address=127.0.0.1:{Api}",
    ];
}

/// <summary>
/// The standalone server (<see cref="OteleportServer.Build"/>) started in this process on free loopback
/// ports, storing in <see cref="Folder"/>. Dispose stops it; <see cref="RestartAsync"/> starts a new
/// server on the same folder.
/// </summary>
internal sealed class ServerInstance : IAsyncDisposable
{
    private readonly Func<ServerPorts, string[]> _argsFor;
    private readonly Action<WebApplicationBuilder>? _configure;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private ServerInstance(string folder, Func<ServerPorts, string[]> argsFor, Action<WebApplicationBuilder>? configure, ServerPorts ports, WebApplication app)
    {
        Folder = folder;
        _argsFor = argsFor;
        _configure = configure;
        Ports = ports;
        _app = app;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Folder { get; }

    public ServerPorts Ports { get; }

    /// <summary>OTLP over gRPC, and the fetch API over gRPC.</summary>
    public Uri GrpcUrl => new($"http://127.0.0.1:{Ports.Grpc}");

    /// <summary>OTLP over HTTP (<c>/v1/traces</c>, ...).</summary>
    public Uri OtlpHttpUrl => new($"http://127.0.0.1:{Ports.Http}");

    /// <summary>The REST API (<c>/api/traces/fetch</c>, ...).</summary>
    public Uri ApiUrl => new($"http://127.0.0.1:{Ports.Api}");

    /// <summary>A client for the HTTP listeners of this server.</summary>
    public HttpClient Http { get; }

    /// <summary>A gRPC channel to <see cref="GrpcUrl"/>, made on first use.</summary>
    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(GrpcUrl);

    public WebApplication App => _app ?? throw new ObjectDisposedException(nameof(ServerInstance));

    /// <summary>Starts a server on <paramref name="folder"/>, with further command-line arguments.</summary>
    public static Task<ServerInstance> StartAsync(string folder, params string[] extraArgs) =>
        StartAsync(folder, StandardArgs(folder, extraArgs));

    /// <summary>The arguments of <see cref="StartAsync(string, string[])"/>: the free ports, the folder, then <paramref name="extraArgs"/>.</summary>
    public static Func<ServerPorts, string[]> StandardArgs(string folder, params string[] extraArgs) => ports =>
    [
        .. ports.ToArgs(),
        $"--Oteleport:Storage:Location={folder}",
        .. extraArgs,
    ];

    /// <summary>
    /// Starts a server with the arguments that <paramref name="argsFor"/> gives for free ports (which it
    /// may also write into a config file). Ports taken by someone else between choosing and binding are
    /// replaced by new ones.
    /// </summary>
    public static Task<ServerInstance> StartAsync(string folder, Func<ServerPorts, string[]> argsFor) => StartAsync(folder, argsFor, configure: null);

    /// <summary>
    /// As <see cref="StartAsync(string, Func{ServerPorts, string[]})"/>, with <paramref name="configure"/> given to
    /// <see cref="OteleportServer.Build"/> (extra services, logging providers); it applies to restarts too.
    /// </summary>
    public static async Task<ServerInstance> StartAsync(string folder, Func<ServerPorts, string[]> argsFor, Action<WebApplicationBuilder>? configure)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = ServerPorts.Free();
            // Quiet: the tests read results, not logs.
            string[] args = ["--Logging:LogLevel:Default=Warning", .. argsFor(ports)];
            var app = OteleportServer.Build(args, configure);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
                return new ServerInstance(folder, argsFor, configure, ports, app);
            }
            catch (IOException ex) when (attempt < 3 && IsAddressInUse(ex))
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops this server and starts a new one on the same folder and arguments (new ports).</summary>
    public async Task<ServerInstance> RestartAsync()
    {
        await DisposeAsync().ConfigureAwait(false);
        return await StartAsync(Folder, _argsFor, _configure).ConfigureAwait(false);
    }

    public Uri Api(string path) => new(ApiUrl, path);

    public Uri Otlp(string path) => new(OtlpHttpUrl, path);

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        _channel = null;
        Http.Dispose();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool IsAddressInUse(Exception ex) =>
        ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
        || ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse };
}
