using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;

namespace Oteleport.Server.Tests;

/// <summary>
/// Filters are additive: a request in the Go server's shape, with no filter field, gets exactly the
/// Go contract's answer, byte for byte, in protobuf and in JSON.
/// </summary>
public sealed class UnfilteredContractTests
{
    [Test]
    public async Task A_request_without_filters_gets_the_unfiltered_answer_byte_for_byte()
    {
        using var folder = new TempFolder("e2e-unfiltered");
        await using var server = await ServerInstance.StartAsync(folder.Path);
        var first = DateTimeOffset.UtcNow.AddMinutes(-3);
        var sent = TestSignals.Spans(5, first, TimeSpan.FromSeconds(1), services: 1);
        await server.ExportAsync(sent);
        var start = TestSignals.UnixNano(first);
        var end = TestSignals.UnixNano(first.AddMinutes(1));

        // Only the Go fields: start, end, limit. The answer is one page holding what was sent.
        var expected = new FetchTracesDataResponse { ResourceSpans = { sent.ResourceSpans } };

        var protobufRequest = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 100 };
        using (var content = new ByteArrayContent(protobufRequest.ToByteArray()))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await server.Http.PostAsync(new Uri(server.ApiUrl, "/api/traces/fetch"), content);
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal(expected.ToByteArray());
        }

        var json = $"{{\"startTimeUnixNano\":{start},\"endTimeUnixNano\":{end},\"limit\":100}}";
        using (var content = new StringContent(json, Encoding.UTF8, "application/json"))
        {
            using var response = await server.Http.PostAsync(new Uri(server.ApiUrl, "/api/traces/fetch"), content);
            var body = await response.Content.ReadAsStringAsync();
            body.Should().Be(Encoding.UTF8.GetString(Otlp.Json.OtlpJson.Serialize(expected)));
            body.Should().StartWith("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"service-0\"}}]}")
                .And.NotContain("nextCursor").And.NotContain("hasMore");
        }
    }
}
