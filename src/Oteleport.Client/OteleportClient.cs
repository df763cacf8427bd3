using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Query;
using OpenTelemetry.Proto.Trace.V1;
using RpcStatus = Oteleport.Proto.Rpc.Status;

namespace Oteleport.Client;

/// <summary>
/// A client of the Oteleport REST API (<c>POST {prefix}/api/{traces|metrics|logs}/fetch</c> and
/// <c>GET {prefix}/api/traces/{traceId}</c>): one call per page, <c>Read*Async</c> to walk a whole time range
/// page by page (optionally narrowed by a <see cref="FetchFilter"/>), or <see cref="GetTraceAsync(string, OteleportTimeRange?, CancellationToken)"/> for one trace.
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
        FetchAsync(request, "traces", FetchTracesDataResponse.Parser, cancellationToken);

    /// <summary>Fetches one page of metric data points.</summary>
    /// <inheritdoc cref="FetchTracesAsync" path="/param"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/returns"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/exception"/>
    public Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchMetricsDataRequest request, CancellationToken cancellationToken = default) =>
        FetchAsync(request, "metrics", FetchMetricsDataResponse.Parser, cancellationToken);

    /// <summary>Fetches one page of log records.</summary>
    /// <inheritdoc cref="FetchTracesAsync" path="/param"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/returns"/>
    /// <inheritdoc cref="FetchTracesAsync" path="/exception"/>
    public Task<FetchLogsDataResponse> FetchLogsAsync(FetchLogsDataRequest request, CancellationToken cancellationToken = default) =>
        FetchAsync(request, "logs", FetchLogsDataResponse.Parser, cancellationToken);

    /// <summary>Reads every span of a time range, a page at a time, following <c>nextCursor</c> while <c>hasMore</c>.</summary>
    /// <param name="range">The time range; every page is asked with exactly these bounds (the cursor is bound to them).</param>
    /// <param name="limit">Records per page; 0 for the server's default.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The pages in order; together they hold each record of the range once.</returns>
    /// <exception cref="ArgumentException">The range has no start, or the limit is negative.</exception>
    /// <exception cref="OteleportClientException">The server answered with an error.</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public IAsyncEnumerable<FetchTracesDataResponse> ReadTracesAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadTracesAsync(range, FetchFilter.None, limit, cancellationToken);

    /// <summary>Reads the spans of a time range that pass <paramref name="filter"/>, a page at a time.</summary>
    /// <param name="range">The time range; every page is asked with exactly these bounds (the cursor is bound to them).</param>
    /// <param name="filter">
    /// The filters, sent unchanged with every page (the cursor is bound to them too). Every filter that is set
    /// must hold for a span; a resource or scope without a matching span is left out. <see cref="FetchFilter.MinSeverity"/>,
    /// <see cref="FetchFilter.BodyContains"/> and <see cref="FetchFilter.MetricName"/> do not apply to spans.
    /// </param>
    /// <param name="limit">Records per page; 0 for the server's default.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The pages in order; together they hold each matching record of the range once.</returns>
    /// <exception cref="ArgumentException">The range has no start, the limit is negative, a filter does not apply to the signal, or a trace id is not 16 bytes.</exception>
    /// <exception cref="OteleportClientException">The server answered with an error.</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public IAsyncEnumerable<FetchTracesDataResponse> ReadTracesAsync(OteleportTimeRange range, FetchFilter filter, long limit = 0, CancellationToken cancellationToken = default)
    {
        CheckRead(range, limit);
        FetchRequests.Traces(range, limit, "", filter);
        return ReadAsync(cursor => FetchRequests.Traces(range, limit, cursor, filter), FetchTracesAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);
    }

    /// <summary>Reads every metric data point of a time range, a page at a time.</summary>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/param"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/exception"/>
    public IAsyncEnumerable<FetchMetricsDataResponse> ReadMetricsAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadMetricsAsync(range, FetchFilter.None, limit, cancellationToken);

    /// <summary>Reads the metric data points of a time range that pass <paramref name="filter"/>, a page at a time.</summary>
    /// <param name="range">The time range; every page is asked with exactly these bounds (the cursor is bound to them).</param>
    /// <param name="filter">
    /// The filters, sent unchanged with every page. <see cref="FetchFilter.Attributes"/> are data point attributes.
    /// Only <see cref="FetchFilter.ServiceName"/>, <see cref="FetchFilter.ResourceAttributes"/>, <see cref="FetchFilter.Attributes"/>
    /// and <see cref="FetchFilter.MetricName"/> apply to data points.
    /// </param>
    /// <param name="limit">Records per page; 0 for the server's default.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, FetchFilter, long, CancellationToken)" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, FetchFilter, long, CancellationToken)" path="/exception"/>
    public IAsyncEnumerable<FetchMetricsDataResponse> ReadMetricsAsync(OteleportTimeRange range, FetchFilter filter, long limit = 0, CancellationToken cancellationToken = default)
    {
        CheckRead(range, limit);
        FetchRequests.Metrics(range, limit, "", filter);
        return ReadAsync(cursor => FetchRequests.Metrics(range, limit, cursor, filter), FetchMetricsAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);
    }

    /// <summary>Reads every log record of a time range, a page at a time.</summary>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/param"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, long, CancellationToken)" path="/exception"/>
    public IAsyncEnumerable<FetchLogsDataResponse> ReadLogsAsync(OteleportTimeRange range, long limit = 0, CancellationToken cancellationToken = default) =>
        ReadLogsAsync(range, FetchFilter.None, limit, cancellationToken);

    /// <summary>Reads the log records of a time range that pass <paramref name="filter"/>, a page at a time.</summary>
    /// <param name="range">The time range; every page is asked with exactly these bounds (the cursor is bound to them).</param>
    /// <param name="filter">
    /// The filters, sent unchanged with every page. <see cref="FetchFilter.SpanName"/>, <see cref="FetchFilter.SpanKind"/>,
    /// <see cref="FetchFilter.StatusCode"/> and <see cref="FetchFilter.MetricName"/> do not apply to log records.
    /// </param>
    /// <param name="limit">Records per page; 0 for the server's default.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, FetchFilter, long, CancellationToken)" path="/returns"/>
    /// <inheritdoc cref="ReadTracesAsync(OteleportTimeRange, FetchFilter, long, CancellationToken)" path="/exception"/>
    public IAsyncEnumerable<FetchLogsDataResponse> ReadLogsAsync(OteleportTimeRange range, FetchFilter filter, long limit = 0, CancellationToken cancellationToken = default)
    {
        CheckRead(range, limit);
        FetchRequests.Logs(range, limit, "", filter);
        return ReadAsync(cursor => FetchRequests.Logs(range, limit, cursor, filter), FetchLogsAsync, static r => (r.HasMore, r.NextCursor), cancellationToken);
    }

    /// <summary>Every span of one trace (<c>GET {prefix}/api/traces/{traceId}</c>), in one answer.</summary>
    /// <param name="traceIdHex">The trace id: 32 hex digits, either case.</param>
    /// <param name="range">
    /// The span start times to look within; null, or a start of 0, for the server's window before the end
    /// (the last 24 hours by default). An end of 0 is now at the server.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The spans grouped by resource and scope; no resource at all when the range holds no span of the trace.</returns>
    /// <exception cref="ArgumentException">The id is not 32 hex digits.</exception>
    /// <exception cref="OteleportClientException">The server answered with an error, e.g. 400 for a trace larger than its lookup limit (page through it with a <see cref="FetchFilter.TraceId"/> filter instead).</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public Task<TracesData> GetTraceAsync(string traceIdHex, OteleportTimeRange? range = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceIdHex);
        if (traceIdHex.Length != 32 || !traceIdHex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"'{traceIdHex}' is not a trace id: use 32 hex digits", nameof(traceIdHex));
        }
        return GetTraceCoreAsync(traceIdHex.ToUpperInvariant(), range, cancellationToken);
    }

    /// <summary>Every span of one trace (<c>GET {prefix}/api/traces/{traceId}</c>), in one answer.</summary>
    /// <param name="traceId">The trace id: 16 bytes, as in <c>Span.TraceId</c>.</param>
    /// <param name="range">The span start times to look within; null, or a start of 0, for the server's window before the end (the last 24 hours by default).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <inheritdoc cref="GetTraceAsync(string, OteleportTimeRange?, CancellationToken)" path="/returns"/>
    /// <exception cref="ArgumentException">The id is not 16 bytes.</exception>
    /// <exception cref="OteleportClientException">The server answered with an error, e.g. 400 for a trace larger than its lookup limit.</exception>
    /// <exception cref="OteleportConnectionException">The server could not be reached.</exception>
    public Task<TracesData> GetTraceAsync(ByteString traceId, OteleportTimeRange? range = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        if (traceId.Length != 16)
        {
            throw new ArgumentException($"A trace id is 16 bytes, not {traceId.Length}", nameof(traceId));
        }
        return GetTraceCoreAsync(Convert.ToHexString(traceId.Span), range, cancellationToken);
    }

    private async Task<TracesData> GetTraceCoreAsync(string hex, OteleportTimeRange? range, CancellationToken cancellationToken)
    {
        var query = new List<string>(2);
        if (range is { StartTimeUnixNano: not 0 } withStart)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"startTimeUnixNano={withStart.StartTimeUnixNano}"));
        }
        if (range is { EndTimeUnixNano: not 0 } withEnd)
        {
            query.Add(string.Create(CultureInfo.InvariantCulture, $"endTimeUnixNano={withEnd.EndTimeUnixNano}"));
        }
        var uri = new Uri($"{BaseAddress.AbsoluteUri.TrimEnd('/')}/api/traces/{hex}{(query.Count > 0 ? "?" + string.Join('&', query) : "")}");
        var response = await SendAsync(HttpMethod.Get, uri, null, FetchTracesDataResponse.Parser, cancellationToken).ConfigureAwait(false);
        return new TracesData { ResourceSpans = { response.ResourceSpans } };
    }

    private static void CheckRead(OteleportTimeRange range, long limit)
    {
        if (range.StartTimeUnixNano == 0)
        {
            throw new ArgumentException("The range needs a start time", nameof(range));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
    }

    private static async IAsyncEnumerable<TResponse> ReadAsync<TRequest, TResponse>(
        Func<string, TRequest> request,
        Func<TRequest, CancellationToken, Task<TResponse>> fetch,
        Func<TResponse, (bool HasMore, string NextCursor)> next,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
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

    private Task<TResponse> FetchAsync<TResponse>(IMessage request, string signal, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(HttpMethod.Post, new Uri($"{BaseAddress.AbsoluteUri.TrimEnd('/')}/api/{signal}/fetch"), request, parser, cancellationToken);
    }

    /// <summary>One request: the body (if any) and the answer in the configured format, errors typed.</summary>
    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, Uri uri, IMessage? request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
    {
        var json = _options.Format == OteleportWireFormat.Json;
        using var message = new HttpRequestMessage(method, uri);
        if (request is not null)
        {
            message.Content = new ByteArrayContent(json ? OtlpJson.Serialize(request) : request.ToByteArray());
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(json ? JsonMediaType : ProtobufMediaType);
        }
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
            throw new InvalidDataException($"{uri} answered {(int)status} with a body that is not a {typeof(TResponse).Name}: {ex.Message}", ex);
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
