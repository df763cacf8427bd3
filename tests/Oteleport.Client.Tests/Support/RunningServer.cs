using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Server;
using Oteleport.Testing;

namespace Oteleport.Tests.Support;

/// <summary>
/// The real standalone server (<see cref="OteleportServer.Build"/>) in this process, on free loopback
/// ports, storing in a temporary folder; ingests with raw OTLP/HTTP protobuf.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    public const string AccessKeyHeader = "Oteleport-Access-Key";

    private readonly WebApplication _app;
    private readonly TempFolder _folder;
    private readonly HttpClient _http = new();

    private RunningServer(WebApplication app, TempFolder folder, int grpcPort, int otlpHttpPort, int apiPort, string? accessKey)
    {
        _app = app;
        _folder = folder;
        AccessKey = accessKey;
        OtlpGrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        OtlpHttpEndpoint = new Uri($"http://127.0.0.1:{otlpHttpPort}");
        ApiEndpoint = new Uri($"http://127.0.0.1:{apiPort}");
    }

    /// <summary>The REST API, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri ApiEndpoint { get; }
    public Uri OtlpHttpEndpoint { get; }
    public Uri OtlpGrpcEndpoint { get; }
    public string? AccessKey { get; }
    public string ApiUrl => ApiEndpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>Starts a server; with <paramref name="accessKey"/> every request must carry it.</summary>
    public static async Task<RunningServer> StartAsync(string? accessKey = null, string? apiPrefix = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var folder = new TempFolder("server");
            int grpc = FreePort.Next(), otlpHttp = FreePort.Next(), api = FreePort.Next();
            var args = new List<string>
            {
                $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{grpc}",
                $"--Oteleport:Otlp:Http:Address=127.0.0.1:{otlpHttp}",
                $"--Oteleport:Api:Http:Address=127.0.0.1:{api}",
                $"--Oteleport:Storage:Location={folder.Path}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            };
            if (accessKey is not null)
            {
                args.Add($"--Oteleport:AccessKeys:0:SecretKey={accessKey}");
            }
            if (apiPrefix is not null)
            {
                args.Add($"--Oteleport:Api:Http:Prefix={apiPrefix}");
            }
            var app = OteleportServer.Build([.. args]);
            try
            {
                await app.StartAsync();
                return new RunningServer(app, folder, grpc, otlpHttp, api, accessKey);
            }
            catch (IOException) when (attempt < 3)
            {
                // A port taken between choosing and binding: choose again.
                await app.DisposeAsync();
                folder.Dispose();
            }
        }
    }

    public Task SendAsync(TracesData data) => PostAsync("traces", new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } });
    public Task SendAsync(MetricsData data) => PostAsync("metrics", new ExportMetricsServiceRequest { ResourceMetrics = { data.ResourceMetrics } });
    public Task SendAsync(LogsData data) => PostAsync("logs", new ExportLogsServiceRequest { ResourceLogs = { data.ResourceLogs } });

    private async Task PostAsync(string signal, IMessage request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(OtlpHttpEndpoint, $"/v1/{signal}"))
        {
            Content = new ByteArrayContent(request.ToByteArray()),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (AccessKey is not null)
        {
            message.Headers.Add(AccessKeyHeader, AccessKey);
        }
        using var response = await _http.SendAsync(message);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Dispose();
    }
}
