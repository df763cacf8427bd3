using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Oteleport.Hosting.Lambda.RuntimeApi;

/// <summary>
/// A client of the Lambda runtime API (version 2018-06-01) at the host:port of <c>AWS_LAMBDA_RUNTIME_API</c>:
/// fetch the next event, answer it with a response or an error, or report a failed start.
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    public const string EnvironmentVariable = "AWS_LAMBDA_RUNTIME_API";
    public const string ApiVersion = "2018-06-01";
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";
    public const string FunctionErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private readonly HttpClient _http;

    public RuntimeApiClient(string runtimeApi)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        Address = runtimeApi.Trim();
        // The next-event call blocks for as long as no event comes, so no timeout applies to it; the
        // connection is local to the execution environment, so no proxy either.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://{Address}/{ApiVersion}/", UriKind.Absolute),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The runtime API's host:port.</summary>
    public string Address { get; }

    /// <summary><c>GET /runtime/invocation/next</c>: waits for the next event.</summary>
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("runtime/invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync("next invocation", response, cancellationToken).ConfigureAwait(false);
        }
        var requestId = Header(response, RequestIdHeader);
        if (string.IsNullOrEmpty(requestId))
        {
            throw new RuntimeApiException("next invocation", response.StatusCode, $"the answer has no {RequestIdHeader} header");
        }
        DateTimeOffset? deadline = long.TryParse(Header(response, DeadlineHeader), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new Invocation(requestId, deadline, Header(response, FunctionArnHeader), Header(response, TraceIdHeader), payload);
    }

    /// <summary><c>POST /runtime/invocation/{id}/response</c>.</summary>
    public async Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(payload);
        content.Headers.ContentType = JsonMediaType;
        await PostAsync("invocation response", $"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary><c>POST /runtime/invocation/{id}/error</c>, with the error type also in Lambda-Runtime-Function-Error-Type.</summary>
    public Task PostErrorAsync(string requestId, RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorAsync("invocation error", $"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    /// <summary><c>POST /runtime/init/error</c>: the function could not start.</summary>
    public Task PostInitErrorAsync(RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorAsync("init error", "runtime/init/error", error, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task PostErrorAsync(string operation, string path, RuntimeError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.RuntimeError));
        content.Headers.ContentType = JsonMediaType;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(FunctionErrorTypeHeader, error.ErrorType);
        await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task PostAsync(string operation, string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(string operation, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await FailureAsync(operation, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<RuntimeApiException> FailureAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string detail;
        try
        {
            detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            detail = "";
        }
        if (detail.Length > 500)
        {
            detail = detail[..500] + "...";
        }
        return new RuntimeApiException(operation, response.StatusCode, detail.Length == 0 ? "(no body)" : detail);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
