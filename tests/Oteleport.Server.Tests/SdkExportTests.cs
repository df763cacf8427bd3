using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// Signals made by the OpenTelemetry .NET SDK and sent by its own OTLP exporter, over gRPC and over
/// HTTP/protobuf, then read back through the REST API (JSON and protobuf) and the gRPC fetch API.
/// </summary>
public sealed class SdkExportTests
{
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    private static readonly OtlpExportProtocol[] Protocols = [OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf];

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-sdk");
        _server = await ServerInstance.StartAsync(_folder.Path);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [TestCaseSource(nameof(Protocols))]
    public async Task Traces_come_back_with_ids_parents_attributes_events_links_status_and_kind(OtlpExportProtocol protocol)
    {
        var sourceName = Unique("orders");
        var serviceName = Unique("shop");
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var eventTime = DateTimeOffset.UtcNow;
        Activity root, child, producer;
        using (var provider = Senders.Tracing(_server, protocol, sourceName, serviceName))
        using (var source = new ActivitySource(sourceName, "1.2.3"))
        {
            root = source.StartActivity("checkout", ActivityKind.Server, parentContext: default,
                links: [new ActivityLink(linked, new ActivityTagsCollection { ["link.reason"] = "retry-of" })])!;
            root.Should().NotBeNull("the provider listens to the source");
            root.SetTag("http.request.method", "POST");
            root.SetTag("http.response.status_code", 201);
            root.SetTag("order.total", 12.5);
            root.SetTag("order.express", true);
            root.SetTag("order.items", new[] { "book", "pen" });
            root.AddEvent(new ActivityEvent("payment.authorized", eventTime, new ActivityTagsCollection { ["amount"] = 12.5, ["currency"] = "EUR" }));

            child = source.StartActivity("reserve-stock", ActivityKind.Client)!;
            child.SetStatus(ActivityStatusCode.Error, "out of stock");
            child.Stop();

            producer = source.StartActivity("publish-order", ActivityKind.Producer)!;
            producer.SetStatus(ActivityStatusCode.Ok);
            producer.Stop();
            root.Stop();

            Sdks.Flush(provider).Should().BeTrue();
        }

        var (start, end) = AroundNow();
        var request = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 };
        var json = await _server.FetchTracesAsync(request, Wire.Json);
        var protobuf = await _server.FetchTracesAsync(request, Wire.Protobuf);
        protobuf.Should().Be(json, "JSON and protobuf answers carry the same data");
        var grpc = await new OterlportService.OterlportServiceClient(_server.Channel).FetchTracesDataAsync(request);
        grpc.Should().Be(json, "the gRPC fetch API answers as the REST API");

        // Usually one resource group; two if the spans straddle an hour (each hour is its own object).
        var resources = json.ResourceSpans.Where(r => r.ScopeSpans.Any(s => s.Scope?.Name == sourceName)).ToList();
        resources.Should().NotBeEmpty().And.OnlyContain(r => r.Resource.ServiceName() == serviceName);
        var scopes = resources.SelectMany(r => r.ScopeSpans).Where(s => s.Scope.Name == sourceName).ToList();
        scopes.Should().OnlyContain(s => s.Scope.Version == "1.2.3");
        var spans = scopes.SelectMany(s => s.Spans).ToDictionary(s => s.Name);
        spans.Keys.Should().BeEquivalentTo("checkout", "reserve-stock", "publish-order");

        var checkout = spans["checkout"];
        ExpectIdentity(checkout, root);
        checkout.ParentSpanId.Should().BeEmpty();
        checkout.Kind.Should().Be(Span.Types.SpanKind.Server);
        checkout.Status.Should().BeNull("an unset status is not sent");
        checkout.Attributes.Attr("http.request.method")!.StringValue.Should().Be("POST");
        checkout.Attributes.Attr("http.response.status_code")!.IntValue.Should().Be(201);
        checkout.Attributes.Attr("order.total")!.DoubleValue.Should().Be(12.5);
        checkout.Attributes.Attr("order.express")!.BoolValue.Should().BeTrue();
        checkout.Attributes.Attr("order.items")!.ArrayValue.Values.Select(v => v.StringValue).Should().Equal("book", "pen");
        var paid = checkout.Events.Should().ContainSingle().Subject;
        paid.Name.Should().Be("payment.authorized");
        paid.TimeUnixNano.Should().Be(Infrastructure.Records.Nanos(eventTime));
        paid.Attributes.Attr("amount")!.DoubleValue.Should().Be(12.5);
        paid.Attributes.Attr("currency")!.StringValue.Should().Be("EUR");
        var link = checkout.Links.Should().ContainSingle().Subject;
        link.TraceId.Should().Equal(Id(linked.TraceId.ToHexString()));
        link.SpanId.Should().Equal(Id(linked.SpanId.ToHexString()));
        link.Attributes.Attr("link.reason")!.StringValue.Should().Be("retry-of");

        var reserve = spans["reserve-stock"];
        ExpectIdentity(reserve, child);
        reserve.TraceId.Should().Equal(checkout.TraceId);
        reserve.ParentSpanId.Should().Equal(checkout.SpanId);
        reserve.Kind.Should().Be(Span.Types.SpanKind.Client);
        reserve.Status.Code.Should().Be(Status.Types.StatusCode.Error);
        reserve.Status.Message.Should().Be("out of stock");

        var publish = spans["publish-order"];
        ExpectIdentity(publish, producer);
        publish.ParentSpanId.Should().Equal(checkout.SpanId);
        publish.Kind.Should().Be(Span.Types.SpanKind.Producer);
        publish.Status.Code.Should().Be(Status.Types.StatusCode.Ok);

        // The JSON wire form: ids in upper-case hex, 64-bit times as decimal strings, enums as numbers.
        using var raw = JsonDocument.Parse(OtlpJsonBytes(json));
        var rawSpans = JsonSpansByName(raw, sourceName);
        var rawReserve = rawSpans["reserve-stock"];
        rawReserve.GetProperty("traceId").GetString().Should().Be(child.TraceId.ToHexString().ToUpperInvariant());
        rawReserve.GetProperty("spanId").GetString().Should().Be(child.SpanId.ToHexString().ToUpperInvariant());
        rawReserve.GetProperty("parentSpanId").GetString().Should().Be(root.SpanId.ToHexString().ToUpperInvariant());
        rawReserve.GetProperty("startTimeUnixNano").GetString().Should().Be(Nanos(child.StartTimeUtc).ToString(System.Globalization.CultureInfo.InvariantCulture));
        rawReserve.GetProperty("kind").GetInt32().Should().Be(3);
    }

    [TestCaseSource(nameof(Protocols))]
    public async Task Logs_come_back_with_severity_body_trace_context_and_attributes(OtlpExportProtocol protocol)
    {
        var category = Unique("Billing");
        var serviceName = Unique("billing");
        Activity activity;
        using (var listener = Senders.SampleAll(category))
        using (var source = new ActivitySource(category))
        using (var logging = Senders.Logging(_server, protocol, serviceName))
        {
            var logger = logging.CreateLogger(category);
            activity = source.StartActivity("charge")!;
            logger.LogWarning("Order {OrderId} shipped to {City} for {Amount}", 7, "Oslo", 12.5);
            activity.Stop();
            logger.LogError(new InvalidOperationException("card declined"), "Payment failed for {OrderId}", 8);
            logger.LogInformation("Nightly report ready");
            logging.ForceFlush().Should().BeTrue();
        }

        var (start, end) = AroundNow();
        var request = new FetchLogsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 };
        var json = await _server.FetchLogsAsync(request, Wire.Json);
        (await _server.FetchLogsAsync(request, Wire.Protobuf)).Should().Be(json);
        (await new OterlportService.OterlportServiceClient(_server.Channel).FetchLogsDataAsync(request)).Should().Be(json);

        json.ResourceLogs.Where(r => r.ScopeLogs.Any(s => s.Scope?.Name == category))
            .Should().NotBeEmpty().And.OnlyContain(r => r.Resource.ServiceName() == serviceName);
        var records = LogsOfScope(json.ResourceLogs, category);
        records.Should().HaveCount(3);

        var shipped = records.Single(r => r.SeverityNumber == SeverityNumber.Warn);
        shipped.SeverityText.Should().Be("Warning");
        shipped.Body.StringValue.Should().Be("Order {OrderId} shipped to {City} for {Amount}");
        shipped.Attributes.Attr("OrderId")!.IntValue.Should().Be(7);
        shipped.Attributes.Attr("City")!.StringValue.Should().Be("Oslo");
        shipped.Attributes.Attr("Amount")!.DoubleValue.Should().Be(12.5);
        shipped.TraceId.Should().Equal(Id(activity.TraceId.ToHexString()));
        shipped.SpanId.Should().Equal(Id(activity.SpanId.ToHexString()));
        shipped.TimeUnixNano.Should().BeInRange(start, end);

        var failed = records.Single(r => r.SeverityNumber == SeverityNumber.Error);
        failed.Body.StringValue.Should().Be("Payment failed for {OrderId}");
        failed.Attributes.Attr("OrderId")!.IntValue.Should().Be(8);
        failed.Attributes.StringAttr("exception.type").Should().EndWith(nameof(InvalidOperationException));
        failed.Attributes.StringAttr("exception.message").Should().Be("card declined");
        failed.TraceId.Should().BeEmpty("no activity was current");

        var report = records.Single(r => r.SeverityNumber == SeverityNumber.Info);
        report.Body.StringValue.Should().Be("Nightly report ready");
        report.SpanId.Should().BeEmpty();
    }

    [TestCaseSource(nameof(Protocols))]
    public async Task Metrics_of_every_kind_the_sdk_makes_come_back(OtlpExportProtocol protocol)
    {
        var meterName = Unique("Shop.Metrics");
        var serviceName = Unique("shop");
        var before = Infrastructure.Records.Nanos(DateTimeOffset.UtcNow);
        using var meter = new Meter(meterName, "4.5");
        // Disposing the provider exports once more (cumulative points again): the test reads before that.
        using var provider = Senders.Metrics(_server, protocol, meterName, serviceName, views => views
            .ExplicitBuckets("request.duration", 10, 50, 100)
            .ExponentialBuckets("payload.size"));
        {
            var orders = meter.CreateCounter<long>("orders.placed", "{order}", "orders placed");
            var temperature = meter.CreateGauge<double>("room.temperature", "Cel");
            var duration = meter.CreateHistogram<double>("request.duration", "ms");
            var size = meter.CreateHistogram<long>("payload.size", "By");
            orders.Add(3, new KeyValuePair<string, object?>("region", "eu"));
            orders.Add(4, new KeyValuePair<string, object?>("region", "eu"));
            orders.Add(1, new KeyValuePair<string, object?>("region", "us"));
            temperature.Record(21.5, new KeyValuePair<string, object?>("room", "lab"));
            foreach (var ms in new[] { 5.0, 20, 70, 500 })
            {
                duration.Record(ms);
            }
            foreach (var bytes in new long[] { 100, 1000, 1000 })
            {
                size.Record(bytes);
            }
            Sdks.Flush(provider).Should().BeTrue();
        }
        var after = Infrastructure.Records.Nanos(DateTimeOffset.UtcNow);

        var (start, end) = AroundNow();
        var request = new FetchMetricsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 };
        var json = await _server.FetchMetricsAsync(request, Wire.Json);
        (await _server.FetchMetricsAsync(request, Wire.Protobuf)).Should().Be(json);
        (await new OterlportService.OterlportServiceClient(_server.Channel).FetchMetricsDataAsync(request)).Should().Be(json);

        json.ResourceMetrics.Where(r => r.ScopeMetrics.Any(s => s.Scope?.Name == meterName))
            .Should().ContainSingle("one export of points all taken at one instant").Which.Resource.ServiceName().Should().Be(serviceName);
        var metrics = MetricsOfScope(json.ResourceMetrics, meterName).ToDictionary(m => m.Name);
        metrics.Keys.Should().BeEquivalentTo("orders.placed", "room.temperature", "request.duration", "payload.size");

        var sum = metrics["orders.placed"];
        sum.DataCase.Should().Be(Metric.DataOneofCase.Sum);
        sum.Unit.Should().Be("{order}");
        sum.Description.Should().Be("orders placed");
        sum.Sum.IsMonotonic.Should().BeTrue();
        sum.Sum.AggregationTemporality.Should().Be(AggregationTemporality.Cumulative);
        sum.Sum.DataPoints.ToDictionary(p => p.Attributes.StringAttr("region")!, p => p.AsInt)
            .Should().BeEquivalentTo(new Dictionary<string, long> { ["eu"] = 7, ["us"] = 1 });
        sum.Sum.DataPoints.Should().OnlyContain(p => p.TimeUnixNano >= before && p.TimeUnixNano <= after && p.StartTimeUnixNano <= p.TimeUnixNano);

        var gauge = metrics["room.temperature"];
        gauge.DataCase.Should().Be(Metric.DataOneofCase.Gauge);
        var reading = gauge.Gauge.DataPoints.Should().ContainSingle().Subject;
        reading.AsDouble.Should().Be(21.5);
        reading.Attributes.StringAttr("room").Should().Be("lab");

        var histogram = metrics["request.duration"];
        histogram.DataCase.Should().Be(Metric.DataOneofCase.Histogram);
        var h = histogram.Histogram.DataPoints.Should().ContainSingle().Subject;
        h.Count.Should().Be(4);
        h.Sum.Should().Be(595);
        h.Min.Should().Be(5);
        h.Max.Should().Be(500);
        h.ExplicitBounds.Should().Equal(10, 50, 100);
        h.BucketCounts.Should().Equal(1UL, 1UL, 1UL, 1UL);

        var exponential = metrics["payload.size"];
        exponential.DataCase.Should().Be(Metric.DataOneofCase.ExponentialHistogram);
        var e = exponential.ExponentialHistogram.DataPoints.Should().ContainSingle().Subject;
        e.Count.Should().Be(3);
        e.Sum.Should().Be(2100);
        e.Min.Should().Be(100);
        e.Max.Should().Be(1000);
        e.ZeroCount.Should().Be(0);
        e.Positive.BucketCounts.Aggregate(0UL, (a, b) => a + b).Should().Be(3);
        e.Scale.Should().BeInRange(-10, 20);
    }

    private static void ExpectIdentity(Span span, Activity activity)
    {
        span.TraceId.Should().Equal(Id(activity.TraceId.ToHexString()));
        span.SpanId.Should().Equal(Id(activity.SpanId.ToHexString()));
        span.StartTimeUnixNano.Should().Be(Nanos(activity.StartTimeUtc));
        span.EndTimeUnixNano.Should().Be(Nanos(activity.StartTimeUtc + activity.Duration));
    }

    private static ulong Nanos(DateTime utc) => Infrastructure.Records.Nanos(new DateTimeOffset(utc, TimeSpan.Zero));

    private static byte[] OtlpJsonBytes(IMessage message) => Oteleport.Otlp.Json.OtlpJson.Serialize(message);
}
