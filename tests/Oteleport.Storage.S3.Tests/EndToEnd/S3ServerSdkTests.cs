using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Oteleport.Otlp.Json;
using Oteleport.Testing;
using OtlpProto = OpenTelemetry.Proto;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// The standalone server on an s3rver bucket, fed by the OpenTelemetry .NET SDK's OTLP exporter over gRPC
/// and HTTP/protobuf: what is sent comes back from the REST API, and the bucket holds it in the Go
/// server's layout as gzip OTLP JSON.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class S3ServerSdkTests
{
    private const string Prefix = "otel/";

    [GeneratedRegex(@"^otel/(?<signal>traces|metrics|logs)/(?<y>\d{4})/(?<m>\d{2})/(?<d>\d{2})/(?<h>\d{2})/(?<file>spans|data-points|records)-(?<stamp>\d{14})-[A-Za-z0-9]{8}\.json\.gz$")]
    private static partial Regex GoLayoutKey();

    [Test]
    public async Task Signals_sent_by_the_sdk_over_grpc_and_http_are_served_back_and_stored_in_the_go_layout()
    {
        var s3 = S3rverFixture.Server;
        var bucket = await s3.CreateBucketAsync();
        await using var server = await S3ServerInstance.StartAsync(s3, bucket, Prefix);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);

        // ---- send with the SDK, once per protocol ----
        var sentSpans = new List<string>();
        var sentLogs = new List<string>();
        foreach (var (protocol, endpoint) in new[]
                 {
                     (OtlpExportProtocol.Grpc, server.OtlpGrpc),
                     (OtlpExportProtocol.HttpProtobuf, server.OtlpHttp),
                 })
        {
            var tag = protocol == OtlpExportProtocol.Grpc ? "grpc" : "http";
            Uri Endpoint(string signal) => protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, $"/v1/{signal}");
            var resource = ResourceBuilder.CreateEmpty().AddService($"e2e-{tag}");

            using (var source = new ActivitySource($"e2e.{tag}"))
            using (var tracing = Sdk.CreateTracerProviderBuilder()
                       .SetResourceBuilder(resource)
                       .AddSource(source.Name)
                       .AddOtlpExporter(o =>
                       {
                           o.Protocol = protocol;
                           o.Endpoint = Endpoint("traces");
                           o.ExportProcessorType = ExportProcessorType.Batch;
                       })
                       .Build())
            {
                for (var i = 0; i < 5; i++)
                {
                    using var parent = source.StartActivity($"{tag}-parent-{i}", ActivityKind.Server)!;
                    parent.SetTag("iteration", i);
                    using (source.StartActivity($"{tag}-child-{i}", ActivityKind.Client))
                    {
                    }
                    sentSpans.Add($"{tag}-parent-{i}");
                    sentSpans.Add($"{tag}-child-{i}");
                }
                tracing.ForceFlush(10_000).Should().BeTrue();
            }

            using (var meter = new Meter($"e2e.{tag}"))
            using (var metrics = Sdk.CreateMeterProviderBuilder()
                       .SetResourceBuilder(resource)
                       .AddMeter(meter.Name)
                       .AddOtlpExporter((o, reader) =>
                       {
                           o.Protocol = protocol;
                           o.Endpoint = Endpoint("metrics");
                           reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
                           // Delta: the export at shutdown has nothing new, so each point is sent once.
                           reader.TemporalityPreference = MetricReaderTemporalityPreference.Delta;
                       })
                       .Build())
            {
                var counter = meter.CreateCounter<long>($"{tag}.requests");
                var histogram = meter.CreateHistogram<double>($"{tag}.latency", "ms");
                counter.Add(3, new KeyValuePair<string, object?>("route", "/a"));
                counter.Add(4, new KeyValuePair<string, object?>("route", "/b"));
                histogram.Record(12.5);
                metrics.ForceFlush(10_000).Should().BeTrue();
            }

            using (var logging = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
                   {
                       o.SetResourceBuilder(resource);
                       o.AddOtlpExporter((e, processor) =>
                       {
                           e.Protocol = protocol;
                           e.Endpoint = Endpoint("logs");
                           processor.ExportProcessorType = ExportProcessorType.Batch;
                       });
                   })))
            {
                var logger = logging.CreateLogger("e2e");
                for (var i = 0; i < 3; i++)
                {
                    var body = $"{tag} log {i}";
#pragma warning disable CA2254, CA1848 // the message is the record's body on purpose
                    logger.LogWarning(body);
#pragma warning restore CA2254, CA1848
                    sentLogs.Add(body);
                }
            }
        }
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var (start, end) = (S3ServerInstance.Nanos(from), S3ServerInstance.Nanos(to));

        // ---- the REST API returns it all ----
        var spans = await server.FetchAllSpansAsync(start, end);
        spans.Select(s => s.Name).Should().BeEquivalentTo(sentSpans);
        var fetchedTraces = await server.FetchPageAsync<Oteleport.Proto.V1.FetchTracesDataResponse>("traces", start, end);
        fetchedTraces.ResourceSpans.Select(r => ServiceName(r.Resource)).Distinct().Should().BeEquivalentTo("e2e-grpc", "e2e-http");
        foreach (var child in spans.Where(s => s.Name.Contains("-child-", StringComparison.Ordinal)))
        {
            var parent = spans.Single(s => s.Name == child.Name.Replace("child", "parent", StringComparison.Ordinal));
            child.TraceId.Should().Equal(parent.TraceId);
            child.ParentSpanId.Should().Equal(parent.SpanId);
        }

        var metricResources = await server.FetchAllMetricsAsync(start, end);
        var fetchedMetrics = metricResources.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).ToList();
        fetchedMetrics.Select(m => m.Name).Distinct().Should().BeEquivalentTo("grpc.requests", "grpc.latency", "http.requests", "http.latency");
        foreach (var tag in new[] { "grpc", "http" })
        {
            fetchedMetrics.Where(m => m.Name == $"{tag}.requests").SelectMany(m => m.Sum.DataPoints).Select(p => p.AsInt)
                .Should().BeEquivalentTo([3L, 4L]);
            fetchedMetrics.Where(m => m.Name == $"{tag}.latency").SelectMany(m => m.Histogram.DataPoints).Single().Sum.Should().Be(12.5);
        }

        var logs = await server.FetchAllLogsAsync(start, end);
        logs.Select(l => l.Body.StringValue).Should().BeEquivalentTo(sentLogs);
        logs.Should().OnlyContain(l => l.SeverityNumber == OtlpProto.Logs.V1.SeverityNumber.Warn);

        // ---- and the bucket holds them in the Go server's layout ----
        using var client = S3ClientFactory.CreateClient(s3.CreateAwsOptions());
        var keys = await ListKeysAsync(client, bucket, "");
        keys.Should().NotBeEmpty().And.OnlyContain(k => k.StartsWith(Prefix, StringComparison.Ordinal), "everything is under the location's prefix");
        var objectSpans = new List<string>();
        var objectLogs = new List<string>();
        var objectPoints = 0;
        foreach (var key in keys)
        {
            var match = GoLayoutKey().Match(key);
            match.Success.Should().BeTrue($"{key} should follow {{prefix}}{{signal}}/yyyy/MM/dd/HH/{{kind}}-yyyyMMddHHmmss-random8.json.gz");
            var signal = match.Groups["signal"].Value;
            match.Groups["file"].Value.Should().Be(signal switch { "traces" => "spans", "metrics" => "data-points", _ => "records" });
            var hour = new DateTimeOffset(
                int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["d"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture), 0, 0, TimeSpan.Zero);
            DateTime.ParseExact(match.Groups["stamp"].Value, "yyyyMMddHHmmss", CultureInfo.InvariantCulture)
                .Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(5), "the file name carries the write time");

            var head = await client.GetObjectMetadataAsync(bucket, key);
            head.Headers.ContentEncoding.Should().Be("gzip", $"{key} is stored gzip-compressed");

            var json = await ReadGunzippedAsync(client, bucket, key);
            switch (signal)
            {
                case "traces":
                    var traces = OtlpJson.Parse<OtlpProto.Trace.V1.TracesData>(json);
                    var inObject = TestSignals.AllSpans(traces.ResourceSpans);
                    inObject.Should().NotBeEmpty();
                    inObject.Should().OnlyContain(s => HourOf(s.StartTimeUnixNano) == hour, "a span sits in the hour of its start");
                    objectSpans.AddRange(inObject.Select(s => s.Name));
                    break;
                case "metrics":
                    var metrics = OtlpJson.Parse<OtlpProto.Metrics.V1.MetricsData>(json);
                    var points = metrics.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
                        .SelectMany(m => m.DataCase == OtlpProto.Metrics.V1.Metric.DataOneofCase.Sum
                            ? m.Sum.DataPoints.Select(p => p.TimeUnixNano)
                            : m.Histogram.DataPoints.Select(p => p.TimeUnixNano))
                        .ToList();
                    points.Should().NotBeEmpty().And.OnlyContain(t => HourOf(t) == hour, "a data point sits in the hour of its time");
                    objectPoints += points.Count;
                    break;
                default:
                    var records = OtlpJson.Parse<OtlpProto.Logs.V1.LogsData>(json).ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).ToList();
                    records.Should().NotBeEmpty().And.OnlyContain(r => HourOf(r.TimeUnixNano) == hour, "a log record sits in the hour of its time");
                    objectLogs.AddRange(records.Select(r => r.Body.StringValue));
                    break;
            }
        }
        objectSpans.Should().BeEquivalentTo(sentSpans, "each acknowledged span is in exactly one object");
        objectLogs.Should().BeEquivalentTo(sentLogs);
        objectPoints.Should().Be(6, "two counter points and one histogram point per protocol");
    }

    private static string ServiceName(OtlpProto.Resource.V1.Resource resource) =>
        resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue;

    private static DateTimeOffset HourOf(ulong unixNano)
    {
        var time = DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));
        return new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero);
    }

    internal static async Task<List<string>> ListKeysAsync(IAmazonS3 client, string bucket, string prefix)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true)
            {
                return keys;
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    internal static async Task<byte[]> ReadGunzippedAsync(IAmazonS3 client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var stored = new MemoryStream();
        await response.ResponseStream.CopyToAsync(stored);
        var bytes = stored.ToArray();
        bytes.Should().StartWith(new byte[] { 0x1f, 0x8b }, $"{key} holds gzip bytes");
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gzip.CopyToAsync(plain);
        return plain.ToArray();
    }
}
