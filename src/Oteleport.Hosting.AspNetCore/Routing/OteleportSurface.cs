namespace Oteleport.Hosting.AspNetCore;

/// <summary>The parts of Oteleport that <c>MapOteleport()</c> serves; each endpoint carries its part as metadata.</summary>
public enum OteleportSurface
{
    /// <summary>OTLP over gRPC (TraceService, MetricsService, LogsService).</summary>
    OtlpGrpc,
    /// <summary>OTLP over HTTP (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
    OtlpHttp,
    /// <summary>The REST fetch API (<c>/api/{signal}/fetch</c>).</summary>
    ApiHttp,
    /// <summary>The fetch API over gRPC (<c>oteleport.proto.v1.OterlportService</c>).</summary>
    ApiGrpc,
    /// <summary><c>GET /health</c>.</summary>
    Health,
}

/// <summary>Endpoint metadata naming the part of Oteleport an endpoint belongs to.</summary>
/// <param name="Surface">The part.</param>
public sealed record OteleportSurfaceMetadata(OteleportSurface Surface);
