using Oteleport.Proto.V1;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// Objects of a Go server that ran with <c>flatten: true</c>: JSON lines of one FlattenSpan each, beside
/// ordinary documents. This branch's reader does not read flatten objects yet; these tests pass once the
/// flatten reader is merged.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GoFlattenObjectsTests
{
    private const string Prefix = "flat/";

    [Test]
    public async Task Flattened_span_lines_of_the_go_server_are_fetched_beside_documents()
    {
        var s3 = S3rverFixture.Server;
        var bucket = await s3.CreateBucketAsync();
        var hour = GoObjects.SeedHour;
        await GoObjects.PutAsync(s3, bucket, $"{Prefix}traces/2024/10/23/09/spans-20241023091100-flat0001.json.gz",
            GoObjects.Gzip(GoObjects.FlattenSpanLines(
                ("flat-one", "A1A2A3A4A5A6A7A8", hour.AddMinutes(10)),
                ("flat-two", "B1B2B3B4B5B6B7B8", hour.AddMinutes(11)))),
            "gzip");
        await GoObjects.PutAsync(s3, bucket, $"{Prefix}traces/2024/10/23/09/spans-20241023092100-docu0001.json",
            GoObjects.TracesDocument("go-api", "document", "5B8EFFF798038103D269B633813FC60C", "C1C2C3C4C5C6C7C8", "", hour.AddMinutes(20)));
        await using var server = await S3ServerInstance.StartAsync(s3, bucket, Prefix);

        var spans = await server.FetchAllSpansAsync(GoObjects.Nanos(hour), GoObjects.Nanos(hour.AddHours(1)) - 1);

        spans.Select(s => s.Name).Should().Equal("flat-one", "flat-two", "document");
        spans[0].SpanId.ToByteArray().Should().Equal(Convert.FromHexString("A1A2A3A4A5A6A7A8"));
        spans[0].TraceId.ToByteArray().Should().Equal(Convert.FromHexString("0AF7651916CD43DD8448EB211C80319C"));
        spans[0].Attributes.Single().Value.StringValue.Should().Be("/flat");
        var page = await server.FetchPageAsync<FetchTracesDataResponse>("traces", GoObjects.Nanos(hour), GoObjects.Nanos(hour.AddHours(1)) - 1);
        page.ResourceSpans.First().Resource.Attributes.Single().Value.StringValue.Should().Be("go-flatten");
        page.ResourceSpans.First().ScopeSpans.Single().Scope.Name.Should().Be("go.opentelemetry.io/otel");
    }
}
