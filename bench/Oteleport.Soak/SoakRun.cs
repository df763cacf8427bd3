using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Server;
using Oteleport.Testing;

namespace Oteleport.Soak;

/// <summary>
/// The zero-loss soak. The standalone server runs in this process on loopback ports and stores in an
/// s3rver bucket; OTLP gRPC and OTLP/HTTP senders export spans and log records, each with a unique id, and
/// retry an Export answered UNAVAILABLE / 503 (or not answered) with backoff until it is acknowledged; s3rver
/// is stopped and started again several times meanwhile. At the end every acknowledged record must be
/// fetched back through the REST API.
/// </summary>
public static class SoakRun
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    private enum Outcome
    {
        Acknowledged,
        Retryable,
        Unexpected,
    }

    private sealed class Tally
    {
        public ConcurrentDictionary<string, byte> Acknowledged { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<string> Unexpected { get; } = new();
        public long Exports;
        public long Retryable;
        public long GivenUp;
    }

    public static async Task<SoakReport> RunAsync(SoakSettings settings, TextWriter progress, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        void Say(string text) => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{watch.Elapsed.TotalSeconds,6:0.0} s] {text}"));

        using var s3 = await S3rverServer.StartNewAsync(cancellationToken).ConfigureAwait(false);
        var bucket = await s3.CreateBucketAsync(cancellationToken).ConfigureAwait(false);
        var (app, grpcUrl, httpUrl, apiUrl) = await StartServerAsync(s3, bucket).ConfigureAwait(false);
        Say($"server on {grpcUrl} (gRPC), {httpUrl} (OTLP/HTTP), {apiUrl} (API); s3rver on {s3.Endpoint}, bucket {bucket}");
        var tally = new Tally();
        var restarts = 0;
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        try
        {
            var stopSending = DateTimeOffset.UtcNow + settings.Duration;
            var giveUp = stopSending + settings.RetryGrace;
            var senders = new List<Task>();
            for (var i = 0; i < settings.GrpcSenders; i++)
            {
                var name = $"soak-grpc{i}";
                senders.Add(Task.Run(() => GrpcSenderAsync(name, grpcUrl, settings, tally, stopSending, giveUp, cancellationToken), cancellationToken));
            }
            for (var i = 0; i < settings.HttpSenders; i++)
            {
                var name = $"soak-http{i}";
                senders.Add(Task.Run(() => HttpSenderAsync(name, httpUrl, settings, tally, stopSending, giveUp, cancellationToken), cancellationToken));
            }

            // The outages, evenly spread over the run.
            for (var k = 1; k <= settings.Restarts; k++)
            {
                var at = settings.Duration * k / (settings.Restarts + 1) - settings.Outage / 2;
                var wait = at - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
                s3.Stop();
                Say($"s3rver stopped ({k}/{settings.Restarts}); acknowledged so far: {tally.Acknowledged.Count} records");
                await Task.Delay(settings.Outage, cancellationToken).ConfigureAwait(false);
                await s3.StartAsync(cancellationToken).ConfigureAwait(false);
                restarts++;
                Say($"s3rver started again; retryable failures so far: {Interlocked.Read(ref tally.Retryable)}");
            }
            await Task.WhenAll(senders).ConfigureAwait(false);
            Say($"senders done: {tally.Exports} exports, {tally.Acknowledged.Count} records acknowledged");

            var fetched = await FetchEverythingAsync(apiUrl, from, cancellationToken).ConfigureAwait(false);
            var acknowledged = tally.Acknowledged.Keys.ToHashSet(StringComparer.Ordinal);
            var report = new SoakReport
            {
                Elapsed = watch.Elapsed,
                RestartsDone = restarts,
                ExportsAcknowledged = Interlocked.Read(ref tally.Exports),
                RecordsAcknowledged = acknowledged.Count,
                RecordsFetched = fetched.Count,
                RecordsLost = acknowledged.Count(id => !fetched.ContainsKey(id)),
                Duplicates = fetched.Values.Sum(n => (long)n - 1),
                StoredUnacknowledged = fetched.Keys.Count(id => !acknowledged.Contains(id)),
                RetryableFailures = Interlocked.Read(ref tally.Retryable),
                ExportsGivenUp = Interlocked.Read(ref tally.GivenUp),
                UnexpectedAnswers = [.. tally.Unexpected],
            };
            return report;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<(WebApplication App, Uri Grpc, Uri Http, Uri Api)> StartServerAsync(S3rverServer s3, string bucket)
    {
        var cursorKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        for (var attempt = 1; ; attempt++)
        {
            var (grpc, http, api) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
            if (grpc == http || http == api || grpc == api)
            {
                continue;
            }
            string[] args =
            [
                $"--Oteleport:Storage:Location=s3://{bucket}/soak/",
                $"--Oteleport:Storage:Aws:Endpoint={s3.Endpoint.ToString().TrimEnd('/')}",
                "--Oteleport:Storage:Aws:UseS3PathStyle=true",
                "--Oteleport:Storage:Aws:Region=us-east-1",
                $"--Oteleport:Storage:Aws:Credentials:AccessKeyId={S3rverServer.AccessKeyId}",
                $"--Oteleport:Storage:Aws:Credentials:SecretAccessKey={S3rverServer.SecretAccessKey}",
                "--Oteleport:Storage:Aws:Checksum=when_required",
                "--Oteleport:Storage:Aws:ChunkedUpload=false",
                $"--Oteleport:Storage:CursorEncryptionKey={cursorKey}",
                $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{grpc}",
                $"--Oteleport:Otlp:Http:Address=127.0.0.1:{http}",
                $"--Oteleport:Api:Http:Address=127.0.0.1:{api}",
                // Each 503 of an outage is a warning; the report counts them instead.
                "--Logging:LogLevel:Default=Error",
            ];
            var app = OteleportServer.Build(args);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
                return (app, new Uri($"http://127.0.0.1:{grpc}"), new Uri($"http://127.0.0.1:{http}"), new Uri($"http://127.0.0.1:{api}"));
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // ---- senders ----

    private static async Task GrpcSenderAsync(string name, Uri url, SoakSettings settings, Tally tally, DateTimeOffset stopSending, DateTimeOffset giveUp, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(url);
        var traces = new TraceService.TraceServiceClient(channel);
        var logs = new LogsService.LogsServiceClient(channel);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        for (var seq = 0; DateTimeOffset.UtcNow < stopSending && !cancellationToken.IsCancellationRequested; seq++)
        {
            var ids = Ids(name, seq, settings.RecordsPerExport);
            var asSpans = seq % 2 == 0;
            await SendAsync(ids, tally, random, giveUp, async () =>
            {
                try
                {
                    var deadline = DateTime.UtcNow + AttemptTimeout;
                    if (asSpans)
                    {
                        await traces.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Spans(name, ids).ResourceSpans } }, deadline: deadline, cancellationToken: cancellationToken);
                    }
                    else
                    {
                        await logs.ExportAsync(new ExportLogsServiceRequest { ResourceLogs = { Logs(name, ids).ResourceLogs } }, deadline: deadline, cancellationToken: cancellationToken);
                    }
                    return (Outcome.Acknowledged, "");
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted)
                {
                    // The OTLP specification's retryable codes (RESOURCE_EXHAUSTED only with retry info; counted all the same).
                    return (Outcome.Retryable, "");
                }
                catch (RpcException ex)
                {
                    return (Outcome.Unexpected, $"{name} gRPC {ex.StatusCode}: {ex.Status.Detail}");
                }
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task HttpSenderAsync(string name, Uri url, SoakSettings settings, Tally tally, DateTimeOffset stopSending, DateTimeOffset giveUp, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = AttemptTimeout };
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        for (var seq = 0; DateTimeOffset.UtcNow < stopSending && !cancellationToken.IsCancellationRequested; seq++)
        {
            var ids = Ids(name, seq, settings.RecordsPerExport);
            IMessage message = seq % 2 == 0 ? Spans(name, ids) : Logs(name, ids);
            var path = seq % 2 == 0 ? "/v1/traces" : "/v1/logs";
            // Protobuf and JSON, plain and gzip, in turn.
            var json = seq / 2 % 2 == 1;
            var gzip = seq / 4 % 2 == 1;
            var body = json ? OtlpJson.Serialize(message) : message.ToByteArray();
            if (gzip)
            {
                body = Gzip(body);
            }
            await SendAsync(ids, tally, random, giveUp, async () =>
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(json ? "application/json" : "application/x-protobuf");
                if (gzip)
                {
                    content.Headers.ContentEncoding.Add("gzip");
                }
                try
                {
                    using var response = await http.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return (Outcome.Acknowledged, "");
                    }
                    if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests
                        or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
                    {
                        return (Outcome.Retryable, "");
                    }
                    var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    return (Outcome.Unexpected, $"{name} HTTP {(int)response.StatusCode} on {path}: {text}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    return (Outcome.Retryable, ""); // no answer: the outcome is unknown, so the Export is sent again
                }
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One Export, tried until acknowledged, answered with something not retryable, or past the grace.</summary>
    private static async Task SendAsync(string[] ids, Tally tally, Random random, DateTimeOffset giveUp, Func<Task<(Outcome, string)>> attempt, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        while (true)
        {
            var (outcome, detail) = await attempt().ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Acknowledged:
                    foreach (var id in ids)
                    {
                        tally.Acknowledged.TryAdd(id, 0);
                    }
                    Interlocked.Increment(ref tally.Exports);
                    return;
                case Outcome.Unexpected:
                    tally.Unexpected.Enqueue(detail);
                    return;
            }
            Interlocked.Increment(ref tally.Retryable);
            if (DateTimeOffset.UtcNow > giveUp || cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref tally.GivenUp);
                return;
            }
            // Exponential backoff with full jitter, as OTLP exporters do.
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * backoff.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private static string[] Ids(string sender, int seq, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{sender}-{seq}-{i}")).ToArray();

    private static Resource Resource(string sender) =>
        new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = sender } } } };

    private static TracesData Spans(string sender, string[] ids)
    {
        var now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "oteleport.soak" } };
        foreach (var id in ids)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
                SpanId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(8)),
                Name = id,
                Kind = Span.Types.SpanKind.Internal,
                StartTimeUnixNano = now,
                EndTimeUnixNano = now + 1_000,
            });
        }
        return new TracesData { ResourceSpans = { new ResourceSpans { Resource = Resource(sender), ScopeSpans = { scope } } } };
    }

    private static LogsData Logs(string sender, string[] ids)
    {
        var now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "oteleport.soak" } };
        foreach (var id in ids)
        {
            scope.LogRecords.Add(new LogRecord { TimeUnixNano = now, SeverityNumber = SeverityNumber.Info, Body = new AnyValue { StringValue = id } });
        }
        return new LogsData { ResourceLogs = { new ResourceLogs { Resource = Resource(sender), ScopeLogs = { scope } } } };
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }

    // ---- the check ----

    /// <summary>Every record id fetched back through the REST API, with how often it came.</summary>
    private static async Task<Dictionary<string, int>> FetchEverythingAsync(Uri api, DateTimeOffset from, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(string id)
        {
            if (id.StartsWith("soak-", StringComparison.Ordinal))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }
        var start = (ulong)(from - DateTimeOffset.UnixEpoch).Ticks * 100;
        var end = (ulong)(DateTimeOffset.UtcNow.AddMinutes(1) - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (var signal in new[] { "traces", "logs" })
        {
            var cursor = "";
            do
            {
                var request = string.Create(CultureInfo.InvariantCulture,
                    $"{{\"startTimeUnixNano\":\"{start}\",\"endTimeUnixNano\":\"{end}\",\"limit\":5000,\"cursor\":\"{cursor}\"}}");
                using var content = new StringContent(request, System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/api/{signal}/fetch", content, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"fetching {signal} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
                }
                if (signal == "traces")
                {
                    var page = OtlpJson.Parse<FetchTracesDataResponse>(body);
                    foreach (var span in page.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
                    {
                        Count(span.Name);
                    }
                    cursor = page.NextCursor;
                }
                else
                {
                    var page = OtlpJson.Parse<FetchLogsDataResponse>(body);
                    foreach (var record in page.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
                    {
                        Count(record.Body.StringValue);
                    }
                    cursor = page.NextCursor;
                }
            }
            while (cursor.Length > 0);
        }
        return counts;
    }
}
