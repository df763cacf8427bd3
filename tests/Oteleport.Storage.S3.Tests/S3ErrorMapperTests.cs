using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Oteleport.Storage.S3.Tests;

/// <summary>
/// The messages for S3 answers that s3rver cannot produce: it checks no SigV4 signature and has no
/// permissions or throttling. The exceptions are built as the SDK builds them from an error response.
/// </summary>
[TestFixture]
public sealed class S3ErrorMapperTests
{
    private static readonly S3Location Location = new("my-bucket", "otel/");

    [TestCase("Check", "access denied to s3://my-bucket/otel/: check credentials and the s3:ListBucket permission")]
    [TestCase("List", "access denied to s3://my-bucket/otel/: check credentials and the s3:ListBucket permission")]
    [TestCase("Get", "access denied to s3://my-bucket/otel/traces/k.json: check credentials and the s3:GetObject permission")]
    [TestCase("Put", "access denied to s3://my-bucket/otel/traces/k.json: check credentials and the s3:PutObject permission")]
    public void Access_denied_names_the_location_and_the_permission(string operationName, string expected)
    {
        var operation = Enum.Parse<S3Operation>(operationName);
        var key = operation is S3Operation.Get or S3Operation.Put ? "traces/k.json" : null;
        Map(Service("AccessDenied", HttpStatusCode.Forbidden), operation, key).Message.Should().Be(expected);
    }

    [Test]
    public void Signature_mismatch_points_at_the_secret()
    {
        Map(Service("SignatureDoesNotMatch", HttpStatusCode.Forbidden), S3Operation.Check).Message.Should()
            .Be("the S3 service rejected the request signature (s3://my-bucket/otel/): check the secret access key");
    }

    [Test]
    public void Unknown_access_key_points_at_the_credentials()
    {
        Map(Service("InvalidAccessKeyId", HttpStatusCode.Forbidden), S3Operation.Check).Message.Should()
            .Be("the AWS access key id is not known to the S3 service (s3://my-bucket/otel/): check credentials");
    }

    [Test]
    public void Missing_bucket_is_named()
    {
        Map(Service("NoSuchBucket", HttpStatusCode.NotFound), S3Operation.Put, "k").Message.Should()
            .Be("S3 bucket 'my-bucket' does not exist");
    }

    [TestCase("SlowDown", HttpStatusCode.ServiceUnavailable)]
    [TestCase("ServiceUnavailable", HttpStatusCode.ServiceUnavailable)]
    [TestCase("InternalError", HttpStatusCode.InternalServerError)]
    [TestCase("", HttpStatusCode.BadGateway)]
    [TestCase("Throttling", HttpStatusCode.BadRequest)]
    public void Server_errors_and_throttling_are_unavailability(string code, HttpStatusCode status)
    {
        var mapped = Map(Service(code, status), S3Operation.Put, "traces/k.json");
        mapped.Message.Should().StartWith("the S3 service is unavailable or throttling");
        mapped.Message.Should().Contain("writing s3://my-bucket/otel/traces/k.json");
        mapped.InnerException.Should().BeOfType<AmazonS3Exception>();
    }

    [Test]
    public void Other_refusals_are_reported_with_their_code()
    {
        Map(Service("InvalidArgument", HttpStatusCode.BadRequest), S3Operation.Get, "k").Message.Should()
            .StartWith("the S3 service refused reading s3://my-bucket/otel/k (InvalidArgument)");
    }

    [Test]
    public void Transport_failures_name_the_endpoint()
    {
        var refused = new HttpRequestException("Connection refused (127.0.0.1:9)", new SocketException((int)SocketError.ConnectionRefused));
        Map(refused, S3Operation.List).Message.Should()
            .StartWith("cannot reach the S3 endpoint http://127.0.0.1:9 while listing s3://my-bucket/otel/");

        var wrapped = new AmazonServiceException("send failed", refused);
        Map(wrapped, S3Operation.Check).Message.Should().StartWith("cannot reach the S3 endpoint");

        Map(new IOException("reset by peer"), S3Operation.Get, "k").Message.Should()
            .Contain("connection to the S3 endpoint http://127.0.0.1:9 failed while reading");
    }

    [Test]
    public void Timeouts_are_unavailability_but_the_callers_cancellation_is_not()
    {
        Map(new TaskCanceledException("timed out"), S3Operation.Put, "k").Message.Should()
            .Be("the S3 endpoint http://127.0.0.1:9 did not answer in time while writing s3://my-bucket/otel/k");

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        S3ErrorMapper.Map(new OperationCanceledException(cancelled.Token), S3Operation.Get, Location, "k", "e", cancelled.Token)
            .Should().BeNull();
    }

    [Test]
    public void Argument_errors_are_not_mapped()
    {
        S3ErrorMapper.Map(new ArgumentException("bad"), S3Operation.Put, Location, "k", "e", CancellationToken.None)
            .Should().BeNull();
    }

    private static AmazonS3Exception Service(string code, HttpStatusCode status) =>
        new("message from S3", (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender, code, "request-id", status);

    private static StorageUnavailableException Map(Exception exception, S3Operation operation, string? key = null) =>
        S3ErrorMapper.Map(exception, operation, Location, key, "http://127.0.0.1:9", CancellationToken.None)
        ?? throw new AssertionException("not mapped");
}
