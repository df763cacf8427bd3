using Amazon;
using Amazon.Runtime;
using Oteleport.Options;

namespace Oteleport.Storage.S3.Tests;

[TestFixture]
public sealed class S3ClientFactoryTests
{
    [Test]
    public void Checksum_when_required_sets_both_request_and_response_modes()
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions { Region = "eu-west-1", Checksum = "when_required" });

        config.RequestChecksumCalculation.Should().Be(RequestChecksumCalculation.WHEN_REQUIRED);
        config.ResponseChecksumValidation.Should().Be(ResponseChecksumValidation.WHEN_REQUIRED);
    }

    [TestCase("when_supported")]
    [TestCase("WHEN_SUPPORTED")]
    [TestCase("")]
    public void Checksum_when_supported_is_the_default(string value)
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions { Region = "eu-west-1", Checksum = value });

        config.RequestChecksumCalculation.Should().Be(RequestChecksumCalculation.WHEN_SUPPORTED);
        config.ResponseChecksumValidation.Should().Be(ResponseChecksumValidation.WHEN_SUPPORTED);
    }

    [Test]
    public void Unknown_checksum_mode_is_rejected()
    {
        var act = () => S3ClientFactory.CreateConfig(new AwsOptions { Checksum = "always" });
        act.Should().Throw<ArgumentException>().WithMessage("*'when_supported' or 'when_required'*'always'*");
    }

    [Test]
    public void Region_alone_selects_the_regional_endpoint()
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions { Region = "ap-northeast-1" });

        config.RegionEndpoint.Should().Be(RegionEndpoint.APNortheast1);
        config.ServiceURL.Should().BeNull();
        config.ForcePathStyle.Should().BeFalse();
    }

    [Test]
    public void Endpoint_sets_the_service_url_path_style_and_signing_region()
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions
        {
            Endpoint = "http://127.0.0.1:9000",
            UseS3PathStyle = true,
            Region = "eu-central-1",
        });

        config.ServiceURL.Should().StartWith("http://127.0.0.1:9000");
        config.ForcePathStyle.Should().BeTrue();
        config.AuthenticationRegion.Should().Be("eu-central-1");
    }

    [Test]
    public void Endpoint_without_any_region_signs_for_us_east_1()
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions { Endpoint = "http://127.0.0.1:9000" });

        // The environment or a profile may name a region on some machines; then that one is used.
        var fromEnvironment = FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName;
        config.AuthenticationRegion.Should().Be(fromEnvironment ?? "us-east-1");
    }

    [Test]
    public void Retry_budget_and_timeouts_are_short()
    {
        var config = S3ClientFactory.CreateConfig(new AwsOptions { Region = "us-east-1" });

        config.MaxErrorRetry.Should().Be(2);
        config.RetryMode.Should().Be(RequestRetryMode.Standard);
        config.ConnectTimeout.Should().Be(TimeSpan.FromSeconds(2));
        config.Timeout.Should().Be(TimeSpan.FromSeconds(10));
        S3ClientFactory.OperationTimeout.Should().Be(TimeSpan.FromSeconds(15));
    }

    [Test]
    public void Static_credentials_are_used_when_given()
    {
        var basic = S3ClientFactory.CreateCredentials(new AwsOptions
        {
            Credentials = new AwsCredentialsOptions { AccessKeyId = "AKID", SecretAccessKey = "secret" },
        });
        basic.Should().BeOfType<BasicAWSCredentials>();
        basic!.GetCredentials().AccessKey.Should().Be("AKID");

        var session = S3ClientFactory.CreateCredentials(new AwsOptions
        {
            Credentials = new AwsCredentialsOptions { AccessKeyId = "ASIA", SecretAccessKey = "secret", SessionToken = "token" },
        });
        session.Should().BeOfType<SessionAWSCredentials>();
        session!.GetCredentials().Token.Should().Be("token");
    }

    [Test]
    public void No_credentials_leave_the_sdk_default_chain()
    {
        S3ClientFactory.CreateCredentials(new AwsOptions()).Should().BeNull();
        S3ClientFactory.CreateCredentials(new AwsOptions { Credentials = new AwsCredentialsOptions() }).Should().BeNull();
    }
}
