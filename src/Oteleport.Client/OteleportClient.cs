using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using RpcStatus = Oteleport.Proto.Rpc.Status;

namespace Oteleport.Client;

/// <summary>
/// A client of the Oteleport REST API (<c>POST {prefix}/api/{traces|metrics|logs}/fetch</c>): one call per
/// page, or <c>Read*Async</c> to walk a whole time range page by page.
/// </summary>
/// <remarks>
/// Thread-safe; share one instance (or let <c>AddOteleportClient</c> hand it out). Errors are
/// <see cref="OteleportClientException"/> (the server answered with an error) or
/// <see cref="OteleportConnectionException"/> (it could not be reached).
/// </remarks>
public sealed class OteleportClient
{
    private const string JsonMediaType = "application/json";
    private const string ProtobufMediaType = "application/x-protobuf";

    private readonly HttpClient _http;
    private readonly OteleportClientOptions _options;

    /// <summary>Creates a client from options configured for dependency injection (see <c>AddOteleportClient</c>).</summary>
    /// <param name="httpClient">The HTTP client; its handler and timeout are used as they are.</param>
    /// <param name="options">The options.</param>
    [ActivatorUtilitiesConstructor]
    public OteleportClient(HttpClient httpClient, IOptions<OteleportClientOptions> options)
        : this(httpClient, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">The HTTP client; its handler and timeout are used as they are.</param>
    /// <param name="options">The options; read once, here.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http or https URL, or the header name is empty.</exception>
    public OteleportClient(HttpClient httpClient, OteleportClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is not { IsAbsoluteUri: true } endpoint || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Endpoint must be an absolute http or https URL, not '{options.Endpoint}'", nameof(options));
        }
        if (options.AccessKey is not null && string.IsNullOrWhiteSpace(options.AccessKeyHeader))
        {
            throw new ArgumentException("AccessKeyHeader must name a header when an access key is set", nameof(options));
        }
        _http = httpClient;
        _options = new OteleportClientOptions
        {
            Endpoint = endpoint,
            PathPrefix = options.PathPrefix,
            AccessKey = options.AccessKey,
            AccessKeyHeader = options.AccessKeyHeader,
            Format = options.Format,
        };
        BaseAddress = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + NormalizePrefix(options.PathPrefix));
    }

    /// <summary>The API's address: the endpoint with the path prefix, e.g. <c>http://localhost:8080/oteleport</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Fetches one page of spans.</summary>
    /// <param name="request">The time range, page size and cursor.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page, its <c>nextCursor</c> and <c>hasMore</c>.</returns>
    /// <exception cref="OteleportClientException">The server answered with an error.</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public Task<FetchTracesDataResponse> FetchTracesAsync(FetchTracesDataRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(request, "traces", FetchTracesDataResponse.Parser, cancellationToken);

    /// <summary>Fetches one page of metric data points.</summary>
    /// <inheritdoc cref="FetchTracesAsync" path="/param"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/returns"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/exception"/>
    public Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchMetricsDataRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(request, "metrics", FetchMetricsDataResponse.Parser, cancellationToken);

    /// <summary>Fetches one page of log records.</summary>
    /// <inheritdoc cref="FetchTracesAsync" path="/param"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/returns"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/exception"/>
    public Task<FetchLogsDataResponse> FetchLogsAsync(FetchLogsDataRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(request, "logs", FetchLogsDataResponse.Parser, cancellationToken);

    /// <summary>Reads every span of a time range, a page at a time, following <c>nextCursor</c> while <c>hasMore</c>.</summary>
    /// <param name="range">The time range; every page is asked with exactly these bounds (the cursor is bound to them).</param>
    /// <param name="limit">Records per page; 0 for the server's default.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The pages in order; together they hold each record of the range once.</returns>
    /// <exception cref="OteleportClientException">The server answered with an error.</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public IAsyncEnumerable<FetchTracesDataResponse> ReadTracesAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadAsync(range, limit, cursor => new FetchTracesDataRequest { StartTimeUnixNano = range.StartTimeUnixNano, EndTimeUnixNano = range.EndTimeUnixNano, Limit = limit, Cursor = cursor },
            FetchTracesAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);

    /// <summary>Reads every metric data point of a time range, a page at a time.</summary>
    /// <inheritdoc cref="ReadTracesAsync" path="/param"/>
    /// <inheritdoc cref="ReadTracesAsync" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync" path="/exception"/>
    public IAsyncEnumerable<FetchMetricsDataResponse> ReadMetricsAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadAsync(range, limit, cursor => new FetchMetricsDataRequest { StartTimeUnixNano = range.StartTimeUnixNano, EndTimeUnixNano = range.EndTimeUnixNano, Limit = limit, Cursor = cursor },
            FetchMetricsAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);

    /// <summary>Reads every log record of a time range, a page at a time.</summary>
    /// <inheritdoc cref="ReadTracesAsync" path="/param"/>
    /// <inheritdoc cref="ReadTracesAsync" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync" path="/exception"/>
    public IAsyncEnumerable<FetchLogsDataResponse> ReadLogsAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadAsync(range, limit, cursor => new FetchLogsDataRequest { StartTimeUnixNano = range.StartTimeUnixNano, EndTimeUnixNano = range.EndTimeUnixNano, Limit = limit, Cursor = cursor },
            FetchLogsAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);

    private static async IAsyncEnumerable<TResponse> ReadAsync<TRequest, TResponse>(
        OteleportTimeRange range,
        long limit,
        Func<string, TRequest> request,
        Func<TRequest, CancellationToken, Task<TResponse>> fetch,
        Func<TResponse, (bool HasMore, string NextCursor)> next,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (range.StartTimeUnixNano == 0)
        {
            throw new ArgumentException("The range needs a start time", nameof(range));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var cursor = "";
        while (true)
        {
            var page = await fetch(request(cursor), cancellationToken).ConfigureAwait(false);
            yield return page;
            var (hasMore, nextCursor) = next(page);
            if (!hasMore)
            {
                yield break;
            }
            if (string.IsNullOrEmpty(nextCursor))
            {
                throw new InvalidDataException("The server said hasMore without a nextCursor");
            }
            cursor = nextCursor;
        }
    }

    private async Task<TResponse> SendAsync<TResponse>(IMessage request, string signal, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = _options.Format == OteleportWireFormat.Json;
        var uri = new Uri($"{BaseAddress.AbsoluteUri.TrimEnd('/')}/api/{signal}/fetch");
        using var message = new HttpRequestMessage(HttpMethod.Post, uri);
        message.Content = new ByteArrayContent(json ? OtlpJson.Serialize(request) : request.ToByteArray());
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(json ? JsonMediaType : ProtobufMediaType);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(json ? JsonMediaType : ProtobufMediaType));
        if (_options.AccessKey is not null)
        {
            message.Headers.TryAddWithoutValidation(_options.AccessKeyHeader, _options.AccessKey);
        }

        byte[] body;
        HttpStatusCode status;
        string? contentType;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            contentType = response.Content.Headers.ContentType?.MediaType;
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Error(uri, response.StatusCode, response.ReasonPhrase, contentType, body);
            }
        }
        catch (HttpRequestException ex)
        {
            throw new OteleportConnectionException(BaseAddress, Innermost(ex), ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout, not the caller's cancellation.
            throw new OteleportConnectionException(BaseAddress, $"no answer within {_http.Timeout.TotalSeconds:0.#} s", ex);
        }

        try
        {
            // A page may hold records as deep as protobuf allows, deeper than a request may be.
            return IsJson(contentType, json) ? OtlpJson.ParseStored<TResponse>(body) : parser.ParseFrom(body);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or OtlpJsonException)
        {
            throw new InvalidDataException($"{uri} answered {(int)status} with a body that is not a fetch response: {ex.Message}", ex);
        }
    }

    private static OteleportClientException Error(Uri uri, HttpStatusCode status, string? reason, string? contentType, byte[] body)
    {
        if (body.Length > 0)
        {
            try
            {
                var rpc = IsJson(contentType, false) ? OtlpJson.Parse<RpcStatus>(body) : RpcStatus.Parser.ParseFrom(body);
                if (rpc.Code != 0 || rpc.Message.Length > 0)
                {
                    return new OteleportClientException(uri, status, (StatusCode)rpc.Code, rpc.Message);
                }
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or OtlpJsonException)
            {
                // Not a status: e.g. a proxy's error page. Its first line says more than nothing.
            }
            var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).Split('\n')[0].Trim();
            if (contentType is not null && contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) && text.Length > 0)
            {
                return new OteleportClientException(uri, status, null, text);
            }
        }
        return new OteleportClientException(uri, status, null, reason ?? "");
    }

    private static bool IsJson(string? contentType, bool fallback) => contentType is null
        ? fallback
        : contentType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || contentType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex.Message;
    }

    private static string NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().Trim('/');
        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }
}
