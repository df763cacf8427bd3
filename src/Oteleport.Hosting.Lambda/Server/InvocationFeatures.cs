using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Oteleport.Hosting.Lambda.FunctionUrl;

namespace Oteleport.Hosting.Lambda.Server;

/// <summary>
/// The HTTP features of one invocation: the request comes from the Function URL event, the response is
/// collected in memory (a Function URL answer is one JSON document), and the invocation's deadline is
/// the request's abort signal. One object implements them all, as servers usually do.
/// </summary>
internal sealed class InvocationFeatures :
    IHttpRequestFeature,
    IHttpResponseFeature,
    IHttpResponseBodyFeature,
    IHttpRequestLifetimeFeature,
    IHttpConnectionFeature,
    IHttpRequestIdentifierFeature,
    IHttpRequestBodyDetectionFeature,
    IDisposable
{
    private readonly MemoryStream _responseBuffer = new();
    private readonly CancellationTokenSource _aborted;
    private readonly ResponseBodyStream _responseStream;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private PipeWriter? _writer;
    private int _statusCode = StatusCodes.Status200OK;

    public InvocationFeatures(string requestId, FunctionUrlRequest request, CancellationToken aborted)
    {
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        _responseStream = new ResponseBodyStream(_responseBuffer, StartAsync);
        TraceIdentifier = requestId;
        ConnectionId = requestId;

        var http = request.RequestContext!.Http!;
        Method = http.Method!.ToUpperInvariant();
        Protocol = string.IsNullOrEmpty(http.Protocol) ? "HTTP/1.1" : http.Protocol;
        var rawPath = string.IsNullOrEmpty(request.RawPath) ? (string.IsNullOrEmpty(http.Path) ? "/" : http.Path) : request.RawPath;
        if (!rawPath.StartsWith('/'))
        {
            rawPath = "/" + rawPath;
        }
        Path = PathString.FromUriComponent(rawPath).Value ?? "/";
        QueryString = string.IsNullOrEmpty(request.RawQueryString) ? "" : "?" + request.RawQueryString;
        RawTarget = rawPath + QueryString;

        foreach (var (name, value) in request.Headers ?? [])
        {
            Headers.Append(name, value);
        }
        if (request.Cookies is { Count: > 0 } cookies)
        {
            // Payload 2.0 takes the Cookie header apart; put it back together as a browser sends it.
            Headers.Cookie = string.Join("; ", cookies);
        }
        var body = request.BodyBytes;
        Body = body.Length > 0 ? new MemoryStream(body, writable: false) : Stream.Null;
        CanHaveBody = body.Length > 0;
        if (body.Length > 0)
        {
            // A base64 body's header may describe the encoded text; the decoded bytes are what the app reads.
            Headers.ContentLength = body.Length;
        }
        else if (HttpMethods.IsPost(Method) || HttpMethods.IsPut(Method) || HttpMethods.IsPatch(Method))
        {
            Headers.ContentLength = 0;
        }
        else
        {
            Headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.ContentLength);
        }
        if (IPAddress.TryParse(http.SourceIp, out var remote))
        {
            RemoteIpAddress = remote;
        }
    }

    // IHttpRequestFeature
    public string Protocol { get; set; }
    public string Scheme { get; set; } = "https";
    public string Method { get; set; }
    public string PathBase { get; set; } = "";
    public string Path { get; set; }
    public string QueryString { get; set; }
    public string RawTarget { get; set; }
    IHeaderDictionary IHttpRequestFeature.Headers { get => Headers; set => Headers = value; }
    public IHeaderDictionary Headers { get; private set; } = new HeaderDictionary();
    public Stream Body { get; set; }

    // IHttpRequestBodyDetectionFeature
    public bool CanHaveBody { get; }

    // IHttpResponseFeature
    int IHttpResponseFeature.StatusCode
    {
        get => _statusCode;
        set
        {
            if (HasStarted)
            {
                throw new InvalidOperationException("The response has started: the status code cannot change.");
            }
            _statusCode = value;
        }
    }

    public int StatusCode => _statusCode;
    public string? ReasonPhrase { get; set; }
    IHeaderDictionary IHttpResponseFeature.Headers { get => ResponseHeaders; set => ResponseHeaders = value; }
    public IHeaderDictionary ResponseHeaders { get; private set; } = new HeaderDictionary();
    [Obsolete("Use IHttpResponseBodyFeature.Stream.")]
    Stream IHttpResponseFeature.Body { get => _responseStream; set => throw new NotSupportedException("Replace IHttpResponseBodyFeature instead."); }
    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has started: OnStarting callbacks can no longer be added.");
        }
        (_onStarting ??= []).Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    // IHttpResponseBodyFeature
    public Stream Stream => _responseStream;
    public PipeWriter Writer => _writer ??= PipeWriter.Create(_responseStream, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering()
    {
        // The whole answer goes out at once anyway.
    }

    /// <summary>Runs the OnStarting callbacks (last added first, as other servers do) and freezes the status code.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }
        if (_onStarting is { } callbacks)
        {
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                await callbacks[i].Callback(callbacks[i].State).ConfigureAwait(false);
            }
        }
        HasStarted = true;
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        await StartAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            await _writer.FlushAsync().ConfigureAwait(false);
        }
    }

    // IHttpRequestLifetimeFeature
    public CancellationToken RequestAborted { get => _aborted.Token; set => throw new NotSupportedException(); }

    public void Abort() => _aborted.Cancel();

    // IHttpConnectionFeature
    public string ConnectionId { get; set; }
    public IPAddress? RemoteIpAddress { get; set; }
    public IPAddress? LocalIpAddress { get; set; }
    public int RemotePort { get; set; }
    public int LocalPort { get; set; } = 443;

    // IHttpRequestIdentifierFeature
    public string TraceIdentifier { get; set; }

    /// <summary>The response body written so far.</summary>
    public ReadOnlySpan<byte> ResponseBody => _responseBuffer.GetBuffer().AsSpan(0, (int)_responseBuffer.Length);

    /// <summary>Runs the OnCompleted callbacks (last added first); returns the first failure, if any.</summary>
    public async Task<Exception?> FireOnCompletedAsync()
    {
        Exception? failure = null;
        if (_onCompleted is { } callbacks)
        {
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                try
                {
                    await callbacks[i].Callback(callbacks[i].State).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    failure ??= ex;
                }
            }
        }
        return failure;
    }

    public FeatureCollection ToFeatureCollection()
    {
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(this);
        features.Set<IHttpResponseFeature>(this);
        features.Set<IHttpResponseBodyFeature>(this);
        features.Set<IHttpRequestLifetimeFeature>(this);
        features.Set<IHttpConnectionFeature>(this);
        features.Set<IHttpRequestIdentifierFeature>(this);
        features.Set<IHttpRequestBodyDetectionFeature>(this);
        return features;
    }

    public void Dispose()
    {
        _aborted.Dispose();
        _responseBuffer.Dispose();
    }
}
