using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cursor;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Query;

namespace Oteleport.Testing.Fuzzing;

/// <summary>The fuzz targets: the OTLP JSON codec, the cursor decoder, and the OTLP/HTTP and REST endpoints of a running server.</summary>
public static class FuzzTargets
{
    private static readonly DateTimeOffset SeedTime = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Valid documents to mutate: the three signals with every metric kind, and fetch requests.</summary>
    public static IReadOnlyList<IMessage> SeedMessages { get; } = BuildSeeds();

    private static List<IMessage> BuildSeeds()
    {
        var spans = TestSignals.Spans(3, SeedTime, TimeSpan.FromSeconds(1), services: 2);
        var span = TestSignals.AllSpans(spans.ResourceSpans)[0];
        span.ParentSpanId = TestSignals.SpanId(9);
        span.Events.Add(new Span.Types.Event { Name = "e", TimeUnixNano = 5, Attributes = { TestSignals.Attr("k", "v") } });
        span.Links.Add(new Span.Types.Link { TraceId = TestSignals.TraceId(2), SpanId = TestSignals.SpanId(3) });
        span.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "m" };
        span.Attributes.Add(new OpenTelemetry.Proto.Common.V1.KeyValue
        {
            Key = "nested",
            Value = new OpenTelemetry.Proto.Common.V1.AnyValue
            {
                KvlistValue = new OpenTelemetry.Proto.Common.V1.KeyValueList { Values = { TestSignals.Attr("d", 1.5.ToString(System.Globalization.CultureInfo.InvariantCulture)) } },
            },
        });
        var logs = TestSignals.Logs(2, SeedTime, TimeSpan.FromSeconds(1));
        logs.ResourceLogs[0].ScopeLogs[0].LogRecords[0].TraceId = TestSignals.TraceId(4);
        logs.ResourceLogs[0].ScopeLogs[0].LogRecords[0].SpanId = TestSignals.SpanId(4);
        logs.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Body = new OpenTelemetry.Proto.Common.V1.AnyValue { BytesValue = ByteString.CopyFromUtf8("bytes") };
        var metrics = TestSignals.AllMetricKinds(SeedTime, points: 1);
        var start = TestSignals.UnixNano(SeedTime.AddHours(-1));
        var end = TestSignals.UnixNano(SeedTime.AddHours(1));
        return
        [
            spans, metrics, logs,
            new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 5, ServiceName = "service-0", TraceId = TestSignals.TraceId(0) },
            new FetchMetricsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 2, MetricName = "latency" },
            new FetchLogsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Cursor = "AQID", MinSeverityNumber = SeverityNumber.Info, BodyContains = "log" },
        ];
    }

    // ---- the OTLP JSON codec ----

    /// <summary>One input for the codec: a message type and JSON bytes.</summary>
    public sealed record JsonCase(MessageParser Parser, string TypeName, byte[] Json);

    private static readonly (MessageParser Parser, IMessage Seed)[] JsonTypes = BuildJsonTypes();

    private static (MessageParser, IMessage)[] BuildJsonTypes()
    {
        var seeds = SeedMessages;
        return
        [
            (TracesData.Parser, seeds[0]),
            (MetricsData.Parser, seeds[1]),
            (LogsData.Parser, seeds[2]),
            (ExportTraceServiceRequest.Parser, new ExportTraceServiceRequest { ResourceSpans = { ((TracesData)seeds[0]).ResourceSpans } }),
            (ExportMetricsServiceRequest.Parser, new ExportMetricsServiceRequest { ResourceMetrics = { ((MetricsData)seeds[1]).ResourceMetrics } }),
            (ExportLogsServiceRequest.Parser, new ExportLogsServiceRequest { ResourceLogs = { ((LogsData)seeds[2]).ResourceLogs } }),
            (FetchTracesDataRequest.Parser, seeds[3]),
            (FetchMetricsDataRequest.Parser, seeds[4]),
            (FetchLogsDataRequest.Parser, seeds[5]),
        ];
    }

    private static readonly byte[][] JsonSeeds = JsonTypes.Select(t => OtlpJson.Serialize(t.Seed)).ToArray();

    public static JsonCase NextJson(Random random)
    {
        var pick = random.Next(JsonTypes.Length);
        var (parser, _) = JsonTypes[pick];
        var json = random.Next(20) == 0 ? Mutator.RandomBytes(random, 64) : Mutator.Mutate(random, JsonSeeds[pick], JsonSeeds);
        return new JsonCase(parser, parser.GetType().GetGenericArguments()[0].Name, json);
    }

    /// <summary>
    /// <see cref="OtlpJson.Parse{T}(ReadOnlySpan{byte})"/> either reads a message, which then writes and reads
    /// back equal, or throws <see cref="OtlpJsonException"/> (a <see cref="FormatException"/>); nothing else.
    /// </summary>
    public static Task<string> CheckJson(JsonCase input)
    {
        IMessage message;
        try
        {
            message = ParseJson(input.Parser, input.Json);
        }
        catch (OtlpJsonException)
        {
            return Task.FromResult("rejected: OtlpJsonException");
        }
        catch (Exception ex)
        {
            throw new FuzzFailureException($"{input.TypeName}: {ex.GetType().FullName} (only OtlpJsonException is documented): {ex.Message}");
        }
        var written = OtlpJson.Serialize(message);
        IMessage again;
        try
        {
            again = ParseJson(input.Parser, written);
        }
        catch (Exception ex)
        {
            throw new FuzzFailureException($"{input.TypeName}: what was read does not read back once written ({ex.Message}); written: {Encoding.UTF8.GetString(written)}");
        }
        if (!again.Equals(message))
        {
            throw new FuzzFailureException($"{input.TypeName}: written and read back it differs: {message} != {again}");
        }
        return Task.FromResult("accepted");
    }

    private static IMessage ParseJson(MessageParser parser, byte[] json)
    {
        // OtlpJson.Parse<T> for the parser's T, without reflection over generic methods in the hot loop.
        return parser switch
        {
            MessageParser<TracesData> => OtlpJson.Parse<TracesData>(json),
            MessageParser<MetricsData> => OtlpJson.Parse<MetricsData>(json),
            MessageParser<LogsData> => OtlpJson.Parse<LogsData>(json),
            MessageParser<ExportTraceServiceRequest> => OtlpJson.Parse<ExportTraceServiceRequest>(json),
            MessageParser<ExportMetricsServiceRequest> => OtlpJson.Parse<ExportMetricsServiceRequest>(json),
            MessageParser<ExportLogsServiceRequest> => OtlpJson.Parse<ExportLogsServiceRequest>(json),
            MessageParser<FetchTracesDataRequest> => OtlpJson.Parse<FetchTracesDataRequest>(json),
            MessageParser<FetchMetricsDataRequest> => OtlpJson.Parse<FetchMetricsDataRequest>(json),
            _ => OtlpJson.Parse<FetchLogsDataRequest>(json),
        };
    }

    // ---- the cursor decoder ----

    /// <summary>Cursors of one key: valid ones (which must decode to what was encoded), mutated ones, and random text.</summary>
    public sealed class CursorTarget
    {
        private readonly AesGcmCursorCodec _codec = new(RandomNumberGenerator.GetBytes(32));
        private readonly AesGcmCursorCodec _foreign = new(RandomNumberGenerator.GetBytes(32));

        /// <summary>A cursor, the position it was made from, and whether it is that valid cursor unchanged.</summary>
        public sealed record Case(string Cursor, CursorPosition Original, bool Valid);

        public Case Next(Random random)
        {
            var fingerprint = new byte[16];
            random.NextBytes(fingerprint);
            var position = new CursorPosition(
                $"2024/10/{random.Next(1, 29):00}/{random.Next(24):00}",
                $"traces/2024/10/23/09/spans-20241023093000-{random.Next():x8}.json.gz",
                random.Next(0, int.MaxValue),
                fingerprint);
            var valid = _codec.Encode(position);
            switch (random.Next(6))
            {
                case 0:
                    return new Case(valid, position, true);
                case 1:
                    return new Case(_foreign.Encode(position), position, false);
                case 2:
                    return new Case(Encoding.ASCII.GetString(Mutator.MutateBytes(random, Encoding.ASCII.GetBytes(valid), [])), position, false);
                case 3:
                    // Well-formed base64url of damaged bytes: reaches the length, version and tag checks.
                    var bytes = Convert.FromBase64String(ToBase64(valid));
                    return new Case(ToBase64Url(Mutator.MutateBytes(random, bytes, [])), position, false);
                case 4:
                    return new Case(ToBase64Url(Mutator.RandomBytes(random, 120)), position, false);
                default:
                    return new Case(Encoding.UTF8.GetString(Mutator.RandomBytes(random, 80)), position, false);
            }
        }

        /// <summary>
        /// <see cref="AesGcmCursorCodec.Decode"/> returns the encoded position, or throws <see cref="FetchRequestException"/>
        /// "invalid cursor"; a changed cursor that still decodes must decode to the very same position (a change
        /// that decoding ignores, such as whitespace), never to another one.
        /// </summary>
        public Task<string> Check(Case input)
        {
            CursorPosition decoded;
            try
            {
                decoded = _codec.Decode(input.Cursor);
            }
            catch (FetchRequestException ex) when (ex.Message.StartsWith("invalid cursor", StringComparison.Ordinal))
            {
                return Task.FromResult(!input.Valid ? "rejected" : throw new FuzzFailureException($"a valid cursor was rejected: {ex.Message}"));
            }
            catch (Exception ex)
            {
                throw new FuzzFailureException($"{ex.GetType().FullName} (only FetchRequestException is documented): {ex.Message}");
            }
            if (decoded.Partition != input.Original.Partition || decoded.ObjectKey != input.Original.ObjectKey
                || decoded.RecordOffset != input.Original.RecordOffset || !decoded.QueryFingerprint.AsSpan().SequenceEqual(input.Original.QueryFingerprint))
            {
                throw new FuzzFailureException(input.Valid ? "a valid cursor decoded to another position" : "a changed cursor decoded to a position of its own (a forgery)");
            }
            return Task.FromResult(input.Valid ? "accepted" : "accepted unchanged (the change is ignored by decoding)");
        }

        private static string ToBase64(string base64Url)
        {
            var text = base64Url.Replace('-', '+').Replace('_', '/');
            return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        }

        private static string ToBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    // ---- the HTTP endpoints ----

    /// <summary>One request to a server: where, as what, with which encoding, and the bytes.</summary>
    public sealed record HttpCase(string Path, bool Api, string ContentType, bool Gzip, byte[] Body)
    {
        public override string ToString() =>
            $"POST {Path} ({(Api ? "API" : "OTLP")}) Content-Type: {ContentType}{(Gzip ? ", Content-Encoding: gzip" : "")}, {Fuzzer.Describe(Body)}";
    }

    /// <summary>Requests to the OTLP/HTTP and REST endpoints of a server, and what their answers must be.</summary>
    public sealed class HttpTarget(HttpClient http, Uri otlp, Uri api)
    {
        private static readonly (string Path, bool Api, int Seed)[] Endpoints =
        [
            ("/v1/traces", false, 0), ("/v1/metrics", false, 1), ("/v1/logs", false, 2),
            ("/api/traces/fetch", true, 3), ("/api/metrics/fetch", true, 4), ("/api/logs/fetch", true, 5),
        ];

        private static readonly byte[][] ProtobufSeeds = SeedMessages.Select(m => m.ToByteArray()).ToArray();
        private static readonly byte[][] JsonSeedBytes = SeedMessages.Select(OtlpJson.Serialize).ToArray();

        public static HttpCase Next(Random random)
        {
            var (path, isApi, seed) = Endpoints[random.Next(Endpoints.Length)];
            var json = random.Next(2) == 0;
            var seeds = json ? JsonSeedBytes : ProtobufSeeds;
            var body = random.Next(10) switch
            {
                0 => seeds[seed],                                     // valid as it is
                1 => seeds[random.Next(seeds.Length)],                // valid, but another message
                2 => Mutator.RandomBytes(random, 256),
                _ => Mutator.Mutate(random, seeds[seed], seeds),
            };
            var contentType = random.Next(12) switch
            {
                0 => json ? "application/x-protobuf" : "application/json", // the other encoding's type
                1 => "text/plain",
                2 => json ? "application/json; charset=utf-8" : "application/protobuf",
                _ => json ? "application/json" : "application/x-protobuf",
            };
            var gzip = random.Next(3) == 0;
            if (gzip)
            {
                body = GzipBytes(body);
                if (random.Next(4) == 0)
                {
                    body = Mutator.MutateBytes(random, body, []); // damaged gzip
                }
            }
            return new HttpCase(path, isApi, contentType, gzip, body);
        }

        /// <summary>
        /// The answer is 200, 400, 413 or 415 (never a 5xx for a client's input), an error has a google.rpc.Status
        /// body in the request's encoding with a message and no stack trace.
        /// </summary>
        public async Task<string> Check(HttpCase input)
        {
            using var content = new ByteArrayContent(input.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
            if (input.Gzip)
            {
                content.Headers.ContentEncoding.Add("gzip");
            }
            using var response = await http.PostAsync(new Uri(input.Api ? api : otlp, input.Path), content).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is not (200 or 400 or 413 or 415))
            {
                throw new FuzzFailureException($"HTTP {status}: {Encoding.UTF8.GetString(body)}");
            }
            if (status != 200)
            {
                var json = response.Content.Headers.ContentType?.MediaType == "application/json";
                Proto.Rpc.Status error;
                try
                {
                    error = json ? OtlpJson.Parse<Proto.Rpc.Status>(body) : Proto.Rpc.Status.Parser.ParseFrom(body);
                }
                catch (Exception ex) when (ex is OtlpJsonException or InvalidProtocolBufferException)
                {
                    throw new FuzzFailureException($"HTTP {status} without a google.rpc.Status body: {Encoding.UTF8.GetString(body)}");
                }
                if (error.Message.Length == 0 || error.Message.Contains("   at ", StringComparison.Ordinal) || error.Message.Contains("Exception", StringComparison.Ordinal))
                {
                    throw new FuzzFailureException($"HTTP {status} with an unhelpful or internal message: '{error.Message}'");
                }
            }
            return $"HTTP {status}";
        }

        private static byte[] GzipBytes(byte[] content)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
            {
                gzip.Write(content);
            }
            return buffer.ToArray();
        }
    }
}
