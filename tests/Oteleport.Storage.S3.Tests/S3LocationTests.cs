namespace Oteleport.Storage.S3.Tests;

[TestFixture]
public sealed class S3LocationTests
{
    [TestCase("s3://bucket", "bucket", "")]
    [TestCase("s3://bucket/", "bucket", "")]
    [TestCase("s3://bucket/otel", "bucket", "otel/")]
    [TestCase("s3://bucket/otel/", "bucket", "otel/")]
    [TestCase("s3://bucket/a/b/c", "bucket", "a/b/c/")]
    [TestCase("s3://bucket//a/", "bucket", "a/")]
    [TestCase("S3://my.bucket-1/x/", "my.bucket-1", "x/")]
    [TestCase("  s3://bucket/x/  ", "bucket", "x/")]
    public void Parses_bucket_and_normalised_prefix(string location, string bucket, string prefix)
    {
        S3Location.TryParse(location, out var parsed, out var error).Should().BeTrue(error);
        parsed.Bucket.Should().Be(bucket);
        parsed.KeyPrefix.Should().Be(prefix);
        parsed.ToString().Should().Be($"s3://{bucket}/{prefix}");
    }

    [TestCase("s3://", "*names no bucket*")]
    [TestCase("s3:///otel/", "*names no bucket*")]
    [TestCase("./oteleport-data", "*does not start with s3://*")]
    [TestCase("", "*empty*")]
    [TestCase("s3://my bucket/", "*invalid bucket name*")]
    public void Rejects_locations_without_a_bucket(string location, string message)
    {
        S3Location.TryParse(location, out _, out var error).Should().BeFalse();
        error.Should().Match(message);
        var act = () => S3Location.Parse(location);
        act.Should().Throw<ArgumentException>();
    }
}
