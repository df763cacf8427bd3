using System.Text;
using Oteleport.Hosting.Lambda.FunctionUrl;

namespace Oteleport.Hosting.Lambda.Tests.FunctionUrl;

public sealed class ResponseEncodingTests
{
    [TestCase("text/plain")]
    [TestCase("text/html; charset=utf-8")]
    [TestCase("application/json")]
    [TestCase("application/json; charset=UTF-8")]
    [TestCase("application/xml")]
    [TestCase("application/problem+json")]
    [TestCase("application/atom+xml")]
    [TestCase("TEXT/CSV")]
    public void Text_types_travel_as_text(string contentType)
    {
        ResponseEncoding.IsText(contentType, null).Should().BeTrue();
        ResponseEncoding.Encode("{\"a\":\"é\"}"u8, contentType, null).Should().Be(("{\"a\":\"é\"}", false));
    }

    [TestCase("application/x-protobuf")]
    [TestCase("application/protobuf")]
    [TestCase("application/grpc")]
    [TestCase("application/gzip")]
    [TestCase("application/octet-stream")]
    [TestCase("image/png")]
    [TestCase("application/jsonl")]
    [TestCase("text/plain; charset=iso-8859-1")]
    [TestCase(null)]
    [TestCase("not a media type")]
    public void Everything_else_is_base64(string? contentType)
    {
        var bytes = new byte[] { 0, 1, 2, 0xff, (byte)'a' };

        ResponseEncoding.IsText(contentType, null).Should().BeFalse();
        var (body, isBase64) = ResponseEncoding.Encode(bytes, contentType, null);
        isBase64.Should().BeTrue();
        Convert.FromBase64String(body).Should().Equal(bytes);
    }

    [Test]
    public void A_content_encoded_text_body_is_binary()
    {
        ResponseEncoding.IsText("application/json", "gzip").Should().BeFalse();
        ResponseEncoding.IsText("application/json", "identity").Should().BeTrue();
    }

    [Test]
    public void Text_that_is_not_utf8_falls_back_to_base64()
    {
        var latin1 = new byte[] { (byte)'c', 0xe9 };

        var (body, isBase64) = ResponseEncoding.Encode(latin1, "text/plain", null);

        isBase64.Should().BeTrue();
        Convert.FromBase64String(body).Should().Equal(latin1);
    }

    [Test]
    public void An_empty_body_is_an_empty_string()
    {
        ResponseEncoding.Encode([], "application/x-protobuf", null).Should().Be(("", false));
        Encoding.UTF8.GetByteCount(ResponseEncoding.Encode([], null, null).Body).Should().Be(0);
    }
}
