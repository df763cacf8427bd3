using System.Globalization;
using Oteleport.Cli.Settings;

namespace Oteleport.Cli.Replay;

/// <summary>The OTLP transports the replay speaks, by their <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> names.</summary>
internal enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
    HttpJson,
}

/// <summary>Where and how one signal is replayed, resolved as the OTLP exporter specification says.</summary>
internal sealed record OtlpExportSettings(
    OtlpProtocol Protocol,
    Uri Endpoint,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    bool Gzip,
    TimeSpan Timeout)
{
    public const string DefaultGrpcEndpoint = "http://localhost:4317";
    public const string DefaultHttpEndpoint = "http://localhost:4318";

    public string ProtocolName => Name(Protocol);

    /// <summary>The endpoint as messages show it (without a lone trailing slash).</summary>
    public string EndpointText => Endpoint.AbsolutePath == "/" ? Endpoint.AbsoluteUri.TrimEnd('/') : Endpoint.AbsoluteUri;

    public static string Name(OtlpProtocol protocol) => protocol switch
    {
        OtlpProtocol.Grpc => "grpc",
        OtlpProtocol.HttpJson => "http/json",
        _ => "http/protobuf",
    };

    /// <summary>Whether the environment alone asks for a replay of <paramref name="signal"/> (an endpoint variable is set).</summary>
    public static string? EndpointVariableSet(CliHost host, string signal) =>
        host.Env(SignalVariable("ENDPOINT", signal)) is not null ? SignalVariable("ENDPOINT", signal)
        : host.Env("OTEL_EXPORTER_OTLP_ENDPOINT") is not null ? "OTEL_EXPORTER_OTLP_ENDPOINT"
        : null;

    /// <summary>
    /// Resolves the settings of <paramref name="signal"/> (<c>traces</c>, <c>metrics</c> or <c>logs</c>): the command
    /// line first, then the signal's own variable, then the general one, then the profile, then the defaults.
    /// A base endpoint (<c>--otlp-endpoint</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, the profile's) gets
    /// <c>/v1/{signal}</c> appended for HTTP; a signal's own endpoint is used as it is.
    /// </summary>
    public static OtlpExportSettings Resolve(
        CliHost host,
        Profile profile,
        string signal,
        string? endpointOption,
        string? protocolOption,
        IReadOnlyList<string> headerOptions)
    {
        var protocolText = protocolOption
            ?? host.Env(SignalVariable("PROTOCOL", signal))
            ?? host.Env("OTEL_EXPORTER_OTLP_PROTOCOL")
            ?? profile.Text("otlpProtocol")
            ?? "http/protobuf";
        var protocol = protocolText.Trim().ToLowerInvariant() switch
        {
            "grpc" => OtlpProtocol.Grpc,
            "http/protobuf" => OtlpProtocol.HttpProtobuf,
            "http/json" => OtlpProtocol.HttpJson,
            _ => throw new UsageException($"OTLP protocol '{protocolText}' is not grpc, http/protobuf or http/json"),
        };
        var http = protocol != OtlpProtocol.Grpc;

        Uri endpoint;
        if (endpointOption is not null)
        {
            endpoint = ParseEndpoint("--otlp-endpoint", endpointOption, http ? signal : null);
        }
        else if (host.Env(SignalVariable("ENDPOINT", signal)) is { } signalEndpoint)
        {
            endpoint = ParseEndpoint(SignalVariable("ENDPOINT", signal), signalEndpoint, appendSignal: null);
        }
        else if (host.Env("OTEL_EXPORTER_OTLP_ENDPOINT") is { } baseEndpoint)
        {
            endpoint = ParseEndpoint("OTEL_EXPORTER_OTLP_ENDPOINT", baseEndpoint, http ? signal : null);
        }
        else if (profile.Text("otlpEndpoint") is { } profileEndpoint)
        {
            endpoint = ParseEndpoint($"{profile.Path}: otlpEndpoint", profileEndpoint, http ? signal : null);
        }
        else
        {
            endpoint = ParseEndpoint("default", http ? DefaultHttpEndpoint : DefaultGrpcEndpoint, http ? signal : null);
        }

        // Later entries win for the same name: profile, general variable, signal variable, command line.
        var headers = new List<KeyValuePair<string, string>>(profile.Pairs("otlpHeaders"));
        Merge(headers, ParseHeaders("OTEL_EXPORTER_OTLP_HEADERS", host.Env("OTEL_EXPORTER_OTLP_HEADERS")));
        Merge(headers, ParseHeaders(SignalVariable("HEADERS", signal), host.Env(SignalVariable("HEADERS", signal))));
        foreach (var option in headerOptions)
        {
            Merge(headers, ParseHeaders("--otlp-header", option));
        }

        var compression = host.Env(SignalVariable("COMPRESSION", signal)) ?? host.Env("OTEL_EXPORTER_OTLP_COMPRESSION") ?? profile.Text("otlpCompression") ?? "none";
        var gzip = compression.Trim().ToLowerInvariant() switch
        {
            "gzip" => true,
            "none" or "" => false,
            _ => throw new UsageException($"OTLP compression '{compression}' is not gzip or none"),
        };

        var timeoutText = host.Env(SignalVariable("TIMEOUT", signal)) ?? host.Env("OTEL_EXPORTER_OTLP_TIMEOUT") ?? profile.Text("otlpTimeout") ?? "10000";
        if (!int.TryParse(timeoutText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var timeoutMs) || timeoutMs <= 0)
        {
            throw new UsageException($"OTLP timeout '{timeoutText}' is not a positive number of milliseconds");
        }
        return new OtlpExportSettings(protocol, endpoint, headers, gzip, TimeSpan.FromMilliseconds(timeoutMs));
    }

    /// <summary>Reads <c>k=v,k2=v2</c> with URL-encoded values (the W3C baggage form the specification uses).</summary>
    public static List<KeyValuePair<string, string>> ParseHeaders(string source, string? text)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return headers;
        }
        foreach (var item in text.Split(','))
        {
            if (item.Trim().Length == 0)
            {
                continue;
            }
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? Uri.UnescapeDataString(item[..equals].Trim()) : "";
            if (name.Length == 0)
            {
                throw new UsageException($"{source}: '{item.Trim()}' is not name=value");
            }
            headers.Add(KeyValuePair.Create(name, Uri.UnescapeDataString(item[(equals + 1)..].Trim())));
        }
        return headers;
    }

    private static void Merge(List<KeyValuePair<string, string>> headers, List<KeyValuePair<string, string>> more)
    {
        foreach (var header in more)
        {
            headers.RemoveAll(h => h.Key.Equals(header.Key, StringComparison.OrdinalIgnoreCase));
            headers.Add(header);
        }
    }

    private static Uri ParseEndpoint(string source, string text, string? appendSignal)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"{source}: '{text}' is not an http or https URL");
        }
        if (appendSignal is null)
        {
            return uri;
        }
        // The specification's rule: the base URL's path, then v1/{signal}, joined with one slash.
        var path = uri.AbsolutePath.TrimEnd('/') + "/v1/" + appendSignal;
        return new UriBuilder(uri) { Path = path }.Uri;
    }

    private static string SignalVariable(string setting, string signal) =>
        $"OTEL_EXPORTER_OTLP_{signal.ToUpperInvariant()}_{setting}";
}
