using System.Text;
using Oteleport.Hosting.Lambda.FunctionUrl;

namespace Oteleport.Hosting.Lambda.Tests.FunctionUrl;

public sealed class FunctionUrlRequestTests
{
    [Test]
    public void Reads_a_function_url_event()
    {
        var body = new byte[] { 0, 10, 200, 255 };
        var request = FunctionUrlRequest.Parse(FunctionUrlEvents.Request("POST", "/v1/traces", body, "application/x-protobuf",
            rawQueryString: "x=1", cookies: ["a=1"]));

        request.Version.Should().Be("2.0");
        request.RawPath.Should().Be("/v1/traces");
        request.RawQueryString.Should().Be("x=1");
        request.Cookies.Should().Equal("a=1");
        request.Headers!["content-type"].Should().Be("application/x-protobuf");
        request.RequestContext!.Http!.Method.Should().Be("POST");
        request.RequestContext.Http.SourceIp.Should().Be(FunctionUrlEvents.SourceIp);
        request.IsBase64Encoded.Should().BeTrue();
        request.BodyBytes.Should().Equal(body);
    }

    [Test]
    public void A_text_body_is_read_as_utf8()
    {
        var request = FunctionUrlRequest.Parse(FunctionUrlEvents.Request("POST", "/v1/logs", Encoding.UTF8.GetBytes("{\"ü\":1}"), "application/json", textBody: true));

        request.IsBase64Encoded.Should().BeFalse();
        Encoding.UTF8.GetString(request.BodyBytes).Should().Be("{\"ü\":1}");
    }

    [Test]
    public void An_event_without_a_body_has_no_bytes()
    {
        FunctionUrlRequest.Parse(FunctionUrlEvents.Request("GET", "/health")).BodyBytes.Should().BeEmpty();
    }

    [TestCase("", "not a Function URL request")]
    [TestCase("[]", "not a Function URL request")]
    [TestCase("null", "it is null")]
    [TestCase("{}", "requestContext.http.method")]
    [TestCase("{\"version\":\"1.0\",\"httpMethod\":\"GET\"}", "payload format version '1.0'")]
    [TestCase("{\"requestContext\":{\"http\":{\"method\":\"POST\"}},\"isBase64Encoded\":true,\"body\":\"%%%\"}", "not base64")]
    public void Rejects_what_is_not_a_payload_2_request(string json, string reason)
    {
        var parse = () => FunctionUrlRequest.Parse(Encoding.UTF8.GetBytes(json));

        parse.Should().Throw<FunctionUrlEventException>().WithMessage($"*{reason}*");
    }
}
