namespace Oteleport.Client;

/// <summary>Where an Oteleport REST API is and how to talk to it.</summary>
public sealed class OteleportClientOptions
{
    /// <summary>The default access key header, as the server's.</summary>
    public const string DefaultAccessKeyHeader = "Oteleport-Access-Key";

    /// <summary>The API's base address, <c>http://localhost:8080</c> by default (an <c>http</c> or <c>https</c> URL).</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:8080");

    /// <summary>The server's <c>api.http.prefix</c>, e.g. <c>/oteleport</c>; empty when it has none.</summary>
    public string? PathPrefix { get; set; }

    /// <summary>The access key sent with every request; null when the server needs none.</summary>
    public string? AccessKey { get; set; }

    /// <summary>The header that carries <see cref="AccessKey"/>, <c>Oteleport-Access-Key</c> by default.</summary>
    public string AccessKeyHeader { get; set; } = DefaultAccessKeyHeader;

    /// <summary>The encoding of requests and responses; protobuf (the default) is smaller and faster.</summary>
    public OteleportWireFormat Format { get; set; } = OteleportWireFormat.Protobuf;
}

/// <summary>The two encodings the REST API speaks.</summary>
public enum OteleportWireFormat
{
    /// <summary>Binary protobuf, <c>application/x-protobuf</c>.</summary>
    Protobuf,

    /// <summary>OTLP JSON, <c>application/json</c>.</summary>
    Json,
}
