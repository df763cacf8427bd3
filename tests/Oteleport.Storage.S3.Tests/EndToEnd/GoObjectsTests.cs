using System.Text;
using Oteleport.Proto.V1;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// A bucket that the Go server wrote: its objects, placed by the test under a key prefix in several hour
/// partitions, in every form it writes (plain OTLP JSON; gzip with and without Content-Encoding), are
/// served by the standalone server with the right records.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GoObjectsTests
{
    private const string Prefix = "shared/oteleport/";
    private static readonly DateTimeOffset H09 = GoObjects.SeedHour;
    private static readonly DateTimeOffset H10 = H09.AddHours(1);
    private static readonly DateTimeOffset H11 = H09.AddHours(2);

    private string _bucket = null!;
    private S3ServerInstance _server = null!;

    [OneTimeSetUp]
    public async Task PlaceObjectsAndStartAsync()
    {
        var s3 = S3rverFixture.Server;
        _bucket = await s3.CreateBucketAsync();

        // 09: the seed README's two spans, plain JSON without any metadata.
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/09/spans-20241023095500-Xy12AbCd.json", GoObjects.SeedTracesDocument);
        // 10: gzip with Content-Encoding: gzip, as the Go server writes by default.
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/10/spans-20241023101600-gzEnc001.json.gz",
            GoObjects.Gzip(GoObjects.TracesDocument("go-api", "gz-with-encoding", "5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174", "EEE19B7EC3C1B173", H10.AddMinutes(15))),
            "gzip");
        // 11: gzip bytes without the metadata (copied by a tool that dropped it), and lower-case hex ids.
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/11/spans-20241023112100-gzRaw001.json.gz",
            GoObjects.Gzip(GoObjects.TracesDocument("go-api", "gz-without-encoding", "6B8EFFF798038103D269B633813FC60C", "AEE19B7EC3C1B174", "", H11.AddMinutes(20))));
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/11/spans-20241023114100-lower001.json",
            GoObjects.TracesDocument("go-worker", "lower-hex", "7b8efff798038103d269b633813fc60c", "beE19b7ec3c1b174", "ceE19b7ec3c1b173", H11.AddMinutes(40)));
        // Outside the fetched range (08 and 12) and a record of 11 whose own time is past the range end.
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/08/spans-20241023085900-early001.json",
            GoObjects.TracesDocument("go-api", "too-early", "8B8EFFF798038103D269B633813FC60C", "DEE19B7EC3C1B174", "", H09.AddMinutes(-1)));
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}traces/2024/10/23/12/spans-20241023120100-late0001.json",
            GoObjects.TracesDocument("go-api", "too-late", "9B8EFFF798038103D269B633813FC60C", "FEE19B7EC3C1B174", "", H11.AddHours(1).AddMinutes(1)));
        // Another program's object beside the prefix is not the server's.
        await GoObjects.PutAsync(s3, _bucket, "shared/other/traces/2024/10/23/09/spans-20241023095500-other001.json",
            GoObjects.TracesDocument("other", "not-ours", "1B8EFFF798038103D269B633813FC60C", "1EE19B7EC3C1B174", "", H09.AddMinutes(30)));

        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}metrics/2024/10/23/09/data-points-20241023093100-metr0001.json.gz",
            GoObjects.Gzip(GoObjects.MetricsDocument(H09.AddMinutes(30))), "gzip");
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}logs/2024/10/23/10/records-20241023100600-logs0001.json",
            GoObjects.LogsDocument(H10.AddMinutes(5), "go log line"));
        await GoObjects.PutAsync(s3, _bucket, $"{Prefix}logs/2024/10/23/11/records-20241023110600-logs0002.json.gz",
            GoObjects.Gzip(GoObjects.LogsDocument(H11.AddMinutes(5), "go gzip log line")));

        _server = await S3ServerInstance.StartAsync(s3, _bucket, Prefix);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private static ulong Start => GoObjects.Nanos(H09);

    private static ulong End => GoObjects.Nanos(H11.AddHours(1)) - 1;

    [Test]
    public async Task The_placed_objects_carry_the_metadata_the_test_claims()
    {
        using var client = S3ClientFactory.CreateClient(S3rverFixture.Server.CreateAwsOptions());
        (await client.GetObjectMetadataAsync(_bucket, $"{Prefix}traces/2024/10/23/10/spans-20241023101600-gzEnc001.json.gz"))
            .Headers.ContentEncoding.Should().Be("gzip");
        (await client.GetObjectMetadataAsync(_bucket, $"{Prefix}traces/2024/10/23/11/spans-20241023112100-gzRaw001.json.gz"))
            .Headers.ContentEncoding.Should().BeNullOrEmpty();
    }

    [Test]
    public async Task Spans_of_every_form_and_partition_in_the_range_are_fetched_with_their_fields()
    {
        var spans = await _server.FetchAllSpansAsync(Start, End);

        spans.Select(s => s.Name).Should().Equal(
            ["curl google", "curl google", "gz-with-encoding", "gz-without-encoding", "lower-hex"],
            "partitions are walked in time order, objects in key order, records in document order");

        var seed = spans[0];
        seed.TraceId.ToByteArray().Should().Equal(Convert.FromHexString("D69015A574B485137570DB01CC5B8D7D"));
        seed.SpanId.ToByteArray().Should().Equal(Convert.FromHexString("EB1F5DC940D26FD8"));
        seed.StartTimeUnixNano.Should().Be(1729674137341884000UL);
        seed.EndTimeUnixNano.Should().Be(1729674137524531000UL);
        seed.Kind.Should().Be(OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Client);
        seed.Attributes.Single(a => a.Key == "process.pid").Value.IntValue.Should().Be(23539);
        seed.Attributes.Single(a => a.Key == "process.command_args").Value.ArrayValue.Values.Select(v => v.StringValue)
            .Should().Equal("curl", "https://www.google.com");
        spans[1].Attributes.Single(a => a.Key == "process.pid").Value.IntValue.Should().Be(0, "\"00000\" is a decimal string with leading zeros");
        spans[1].Attributes.Single(a => a.Key == "process.parent_pid").Value.IntValue.Should().Be(1);

        var gz = spans[2];
        gz.ParentSpanId.ToByteArray().Should().Equal(Convert.FromHexString("EEE19B7EC3C1B173"));
        gz.Events.Single().Name.Should().Be("retry");
        gz.Status.Code.Should().Be(OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok);
        spans[3].ParentSpanId.IsEmpty.Should().BeTrue();

        var lower = spans[4];
        lower.TraceId.ToByteArray().Should().Equal(Convert.FromHexString("7B8EFFF798038103D269B633813FC60C"));
        lower.SpanId.ToByteArray().Should().Equal(Convert.FromHexString("BEE19B7EC3C1B174"));
        lower.ParentSpanId.ToByteArray().Should().Equal(Convert.FromHexString("CEE19B7EC3C1B173"));
    }

    [Test]
    public async Task The_rest_api_answers_with_upper_case_hex_ids_as_the_go_server()
    {
        using var response = await _server.PostFetchAsync("traces", Start, End);
        var json = await response.Content.ReadAsStringAsync();

        json.Should().Contain("\"traceId\":\"7B8EFFF798038103D269B633813FC60C\"")
            .And.Contain("\"spanId\":\"EB1F5DC940D26FD8\"")
            .And.NotContain("7b8efff7");
    }

    [Test]
    public async Task Walking_with_a_small_limit_crosses_objects_and_partitions_without_loss()
    {
        var whole = await _server.FetchAllSpansAsync(Start, End);
        foreach (var limit in new[] { 1, 2, 3 })
        {
            var walked = await _server.FetchAllSpansAsync(Start, End, limit);
            walked.Should().Equal(whole, $"a walk with limit {limit} returns what one fetch returns");
        }
    }

    [Test]
    public async Task A_range_inside_one_hour_returns_only_its_records()
    {
        var spans = await _server.FetchAllSpansAsync(GoObjects.Nanos(H11), GoObjects.Nanos(H11.AddMinutes(30)));
        spans.Select(s => s.Name).Should().Equal("gz-without-encoding");

        var seed = await _server.FetchAllSpansAsync(1729674137341884000UL, 1729674137341884000UL);
        seed.Select(s => s.SpanId.ToByteArray()).Should().ContainSingle()
            .Which.Should().Equal(Convert.FromHexString("EB1F5DC940D26FD8"), "the range bounds are inclusive");
    }

    [Test]
    public async Task Metrics_of_a_go_gzip_object_are_fetched()
    {
        var resources = await _server.FetchAllMetricsAsync(Start, End);

        var metrics = resources.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).ToList();
        metrics.Select(m => m.Name).Should().Equal("temperature", "requests");
        metrics[0].Gauge.DataPoints.Single().AsDouble.Should().Be(21.5);
        metrics[0].Gauge.DataPoints.Single().Attributes.Single().Value.StringValue.Should().Be("r1");
        var sum = metrics[1].Sum;
        sum.IsMonotonic.Should().BeTrue();
        sum.AggregationTemporality.Should().Be(OpenTelemetry.Proto.Metrics.V1.AggregationTemporality.Cumulative);
        sum.DataPoints.Single().AsInt.Should().Be(42);
        resources.Single().Resource.Attributes.Single().Value.StringValue.Should().Be("go-metrics");
    }

    [Test]
    public async Task Logs_of_plain_and_gzip_go_objects_are_fetched()
    {
        var records = await _server.FetchAllLogsAsync(Start, End);

        records.Select(r => r.Body.StringValue).Should().Equal("go log line", "go gzip log line");
        var first = records[0];
        first.TraceId.ToByteArray().Should().Equal(Convert.FromHexString("D69015A574B485137570DB01CC5B8D7D"));
        first.SpanId.ToByteArray().Should().Equal(Convert.FromHexString("EB1F5DC940D26FD8"));
        first.SeverityNumber.Should().Be(OpenTelemetry.Proto.Logs.V1.SeverityNumber.Info);
        first.Flags.Should().Be(1);
        first.ObservedTimeUnixNano.Should().Be(first.TimeUnixNano + 5);
    }

    [Test]
    public async Task The_other_signals_are_not_mixed_in()
    {
        var page = await _server.FetchPageAsync<FetchTracesDataResponse>("traces", Start, End);
        page.ResourceSpans.SelectMany(r => r.Resource.Attributes).Select(a => a.Value.StringValue).Distinct()
            .Should().BeEquivalentTo("my-service", "go-api", "go-worker");
        Encoding.UTF8.GetString(Oteleport.Otlp.Json.OtlpJson.Serialize(page)).Should().NotContain("not-ours");
    }

    [Test]
    public async Task A_bucket_that_a_go_server_wrote_in_local_time_is_read_with_the_time_zone_option()
    {
        // The Go server ran in Tokyo (UTC+9) and named partitions in its local time: 09:30 UTC is in folder 18.
        var s3 = S3rverFixture.Server;
        await GoObjects.PutAsync(s3, _bucket, "tokyo/traces/2024/10/23/18/spans-20241023183100-tokyo001.json",
            GoObjects.TracesDocument("go-tokyo", "tokyo-span", "2B8EFFF798038103D269B633813FC60C", "2EE19B7EC3C1B174", "", H09.AddMinutes(30)));
        var (start, end) = (GoObjects.Nanos(H09), GoObjects.Nanos(H10) - 1);

        await using (var tokyo = await S3ServerInstance.StartAsync(s3, _bucket, "tokyo/", "--Oteleport:Storage:TimeZone=Asia/Tokyo"))
        {
            (await tokyo.FetchAllSpansAsync(start, end)).Select(s => s.Name).Should().Equal("tokyo-span");
        }
        await using (var utc = await S3ServerInstance.StartAsync(s3, _bucket, "tokyo/"))
        {
            (await utc.FetchAllSpansAsync(start, end)).Should().BeEmpty("in UTC the span's hour is folder 09, which is empty");
        }
    }
}
