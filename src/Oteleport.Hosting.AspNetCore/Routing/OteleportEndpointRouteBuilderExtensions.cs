using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Hosting.AspNetCore;
using Oteleport.Hosting.AspNetCore.Api;
using Oteleport.Hosting.AspNetCore.Http;
using Oteleport.Hosting.AspNetCore.Otlp;
using Oteleport.Hosting.AspNetCore.Security;
using Oteleport.Options;
using Oteleport.Proto.V1;
using Oteleport.Storage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Oteleport's endpoints; <c>AddOteleport()</c> must have been called.</summary>
public static class OteleportEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every enabled part: OTLP gRPC, OTLP/HTTP (<c>{prefix}/v1/{signal}</c>), the REST API
    /// (<c>{prefix}/api/{signal}/fetch</c>), the fetch API over gRPC, and <c>{prefix}/health</c>.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">A path prefix such as <c>/oteleport</c> for the HTTP parts; null: the configured
    /// <c>otlp.http.prefix</c> and <c>api.http.prefix</c>.</param>
    /// <returns>A builder for conventions on all of the mapped endpoints.</returns>
    public static IEndpointConventionBuilder MapOteleport(this IEndpointRouteBuilder endpoints, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = Options(endpoints);
        var parts = new List<IEndpointConventionBuilder>();
        if (options.Otlp.Grpc.Enable ?? options.Otlp.Enable ?? true)
        {
            parts.Add(endpoints.MapOteleportOtlpGrpc());
        }
        if (options.Otlp.Http.Enable ?? options.Otlp.Enable ?? true)
        {
            parts.Add(endpoints.MapOteleportOtlpHttp(prefix));
        }
        if (options.Api.Http.Enable ?? options.Api.Enable ?? true)
        {
            parts.Add(endpoints.MapOteleportApi(prefix));
        }
        if (options.Api.Grpc.Enable ?? options.Api.Enable ?? true)
        {
            parts.Add(endpoints.MapOteleportApiGrpc());
        }
        parts.Add(endpoints.MapOteleportHealth(prefix));
        return new CompositeConventionBuilder(parts);
    }

    /// <summary>Maps the OTLP gRPC services (TraceService, MetricsService, LogsService).</summary>
    public static IEndpointConventionBuilder MapOteleportOtlpGrpc(this IEndpointRouteBuilder endpoints)
    {
        var parts = new IEndpointConventionBuilder[]
        {
            endpoints.MapGrpcService<TraceReceiver>(),
            endpoints.MapGrpcService<MetricsReceiver>(),
            endpoints.MapGrpcService<LogsReceiver>(),
        };
        return new CompositeConventionBuilder(parts).WithMetadata(new OteleportSurfaceMetadata(OteleportSurface.OtlpGrpc));
    }

    /// <summary>Maps the fetch API over gRPC (<c>oteleport.proto.v1.OterlportService</c>).</summary>
    public static IEndpointConventionBuilder MapOteleportApiGrpc(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<FetchGrpcService>().WithMetadata(new OteleportSurfaceMetadata(OteleportSurface.ApiGrpc));

    /// <summary>Maps OTLP/HTTP: <c>POST {prefix}/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>, protobuf or JSON, gzip or not.</summary>
    public static IEndpointConventionBuilder MapOteleportOtlpHttp(this IEndpointRouteBuilder endpoints, string? prefix = null)
    {
        var options = Options(endpoints);
        prefix ??= options.Otlp.Http.Prefix;
        var store = endpoints.ServiceProvider.GetRequiredService<ISignalStore>();
        var parts = new[]
        {
            MapPost(endpoints, $"{prefix}/v1/traces", "OtlpHttp.Traces", async (body, format, ct) =>
            {
                await store.AppendTracesAsync(format.Decode<TracesData>(body), ct).ConfigureAwait(false);
                return new ExportTraceServiceResponse();
            }),
            MapPost(endpoints, $"{prefix}/v1/metrics", "OtlpHttp.Metrics", async (body, format, ct) =>
            {
                await store.AppendMetricsAsync(format.Decode<MetricsData>(body), ct).ConfigureAwait(false);
                return new ExportMetricsServiceResponse();
            }),
            MapPost(endpoints, $"{prefix}/v1/logs", "OtlpHttp.Logs", async (body, format, ct) =>
            {
                await store.AppendLogsAsync(format.Decode<LogsData>(body), ct).ConfigureAwait(false);
                return new ExportLogsServiceResponse();
            }),
        };
        return new CompositeConventionBuilder(parts).WithMetadata(new OteleportSurfaceMetadata(OteleportSurface.OtlpHttp));
    }

    /// <summary>Maps the REST API: <c>POST {prefix}/api/traces/fetch</c>, <c>/api/metrics/fetch</c>, <c>/api/logs/fetch</c>.</summary>
    public static IEndpointConventionBuilder MapOteleportApi(this IEndpointRouteBuilder endpoints, string? prefix = null)
    {
        var options = Options(endpoints);
        prefix ??= options.Api.Http.Prefix;
        var store = endpoints.ServiceProvider.GetRequiredService<ISignalStore>();
        var parts = new[]
        {
            MapPost(endpoints, $"{prefix}/api/traces/fetch", "Api.FetchTraces", async (body, format, ct) =>
                await WireFetch.TracesAsync(store, FetchQueries.From(format.Decode<FetchTracesDataRequest>(body)), ct).ConfigureAwait(false)),
            MapPost(endpoints, $"{prefix}/api/metrics/fetch", "Api.FetchMetrics", async (body, format, ct) =>
                await WireFetch.MetricsAsync(store, FetchQueries.From(format.Decode<FetchMetricsDataRequest>(body)), ct).ConfigureAwait(false)),
            MapPost(endpoints, $"{prefix}/api/logs/fetch", "Api.FetchLogs", async (body, format, ct) =>
                await WireFetch.LogsAsync(store, FetchQueries.From(format.Decode<FetchLogsDataRequest>(body)), ct).ConfigureAwait(false)),
        };
        return new CompositeConventionBuilder(parts).WithMetadata(new OteleportSurfaceMetadata(OteleportSurface.ApiHttp));
    }

    /// <summary>Maps <c>GET {prefix}/health</c>: 200 while the process serves; needs no access key.</summary>
    public static IEndpointConventionBuilder MapOteleportHealth(this IEndpointRouteBuilder endpoints, string? prefix = null) =>
        endpoints.MapGet($"{prefix}/health", static () => Results.Json(new HealthResponse("ok"), HealthJsonContext.Default.HealthResponse))
            .WithMetadata(new OteleportSurfaceMetadata(OteleportSurface.Health))
            .WithDisplayName("Oteleport.Health");

    private static IEndpointConventionBuilder MapPost(IEndpointRouteBuilder endpoints, string pattern, string name, HttpEndpointHandler.Work work)
    {
        var services = endpoints.ServiceProvider;
        var accessKeys = services.GetRequiredService<AccessKeyValidator>();
        var maxBytes = Options(endpoints).Limits.MaxRequestBytes;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Oteleport.Http");
        // Every method is routed here so that a GET gets a 405 in the protocol's error format, not a bare 404.
        return endpoints.Map(pattern, context => HttpEndpointHandler.HandleAsync(context, accessKeys, maxBytes, logger, work))
            .WithDisplayName($"Oteleport.{name}");
    }

    private static OteleportOptions Options(IEndpointRouteBuilder endpoints) =>
        endpoints.ServiceProvider.GetService<IOptions<OteleportOptions>>()?.Value
        ?? throw new InvalidOperationException("Call services.AddOteleport() before app.MapOteleport().");

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> parts) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var part in parts)
            {
                part.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var part in parts)
            {
                part.Finally(finallyConvention);
            }
        }
    }
}

internal sealed record HealthResponse(string Status);

[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class HealthJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
