using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Oteleport.Hosting.AspNetCore.Configuration;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Tests.Configuration;

/// <summary>
/// The whole <c>Oteleport</c> section, from environment variables, the command line or any other source, is
/// checked against <see cref="OteleportOptions"/>: unknown keys and bad values are errors naming the key.
/// </summary>
[NonParallelizable] // environment variables are process-wide
public sealed class OteleportSectionCheckTests : ConfigFileTestBase
{
    private static List<string> Check(params string[] commandLine) =>
        OteleportSectionCheck.Check(new ConfigurationBuilder().AddCommandLine(commandLine).Build());

    [Test]
    public void Every_setting_that_the_reference_documents_passes()
    {
        Check(
            "--Oteleport:AccessKeys:0:SecretKey=s1", "--Oteleport:AccessKeys:0:KeyId=ci", "--Oteleport:AccessKeyHeader=X-Key",
            "--Oteleport:Storage:Location=s3://bucket/prefix/", "--Oteleport:Storage:CursorEncryptionKey=abc",
            "--Oteleport:Storage:Gzip=false", "--Oteleport:Storage:Flatten=TRUE", "--Oteleport:Storage:TimeZone=Asia/Tokyo",
            "--Oteleport:Storage:FlushInterval=00:00:01", "--Oteleport:Storage:MaxBatchRecords=5",
            "--Oteleport:Storage:Aws:Region=us-east-1", "--Oteleport:Storage:Aws:Endpoint=http://127.0.0.1:9000",
            "--Oteleport:Storage:Aws:UseS3PathStyle=true", "--Oteleport:Storage:Aws:Credentials:AccessKeyId=a",
            "--Oteleport:Storage:Aws:Credentials:SecretAccessKey=b", "--Oteleport:Storage:Aws:Checksum=when_required",
            "--Oteleport:Otlp:Enable=", "--Oteleport:Otlp:Grpc:Address=", "--Oteleport:Otlp:Http:Prefix=/otel",
            "--Oteleport:Api:Http:Enable=false", "--Oteleport:Api:Grpc:Address=:4320",
            "--Oteleport:Limits:MaxFetchRange=7.00:00:00", "--Oteleport:Limits:MaxRequestBytes=1048576",
            // Keys are matched ignoring case, as the binder matches them.
            "--oteleport:limits:defaultfetchlimit=10",
            // Other sections are none of this check's business.
            "--Logging:LogLevel:Default=Warning", "--Kestrel:Endpoints:Https:Url=https://127.0.0.1:1")
            .Should().BeEmpty();
    }

    [Test]
    public void An_unknown_key_from_the_command_line_is_named_in_full_with_the_known_keys()
    {
        var errors = Check("--Oteleport:Storage:Flaten=true");

        errors.Should().ContainSingle().Which.Should()
            .StartWith("unknown key Oteleport:Storage:Flaten")
            .And.Contain("Flatten").And.Contain("Location");
    }

    [Test]
    public void An_unknown_key_from_an_environment_variable_is_named_in_full()
    {
        SetVariable("Oteleport__Storage__Flaten", "true");
        SetVariable("OTELEPORT__LIMITS__MAXREQUESTBYTE", "5");

        var errors = OteleportSectionCheck.Check(new ConfigurationBuilder().AddEnvironmentVariables().Build());

        errors.Should().HaveCount(2);
        // Configuration keys ignore case; the path is spelled as its sources spelled it first.
        errors.Should().Contain(e => e.StartsWith("unknown key Oteleport:Storage:Flaten", StringComparison.OrdinalIgnoreCase));
        errors.Should().Contain(e => e.StartsWith("unknown key Oteleport:Limits:MaxRequestByte", StringComparison.OrdinalIgnoreCase));
    }

    [Test]
    public void A_snake_case_key_is_unknown_to_the_binder_and_so_here()
    {
        // Only the Go-style config file maps snake_case; the binder itself would skip this key.
        Check("--Oteleport:Storage:Cursor_Encryption_Key=abc").Should().ContainSingle()
            .Which.Should().StartWith("unknown key Oteleport:Storage:Cursor_Encryption_Key");
    }

    [TestCase("--Oteleport:Storage:Gzip=maybe", "Oteleport:Storage:Gzip: 'maybe' is not true or false")]
    [TestCase("--Oteleport:Limits:MaxFetchLimit=lots", "Oteleport:Limits:MaxFetchLimit: 'lots' is not a whole number from -2147483648 to 2147483647")]
    [TestCase("--Oteleport:Limits:MaxRequestBytes=99999999999999999999", "Oteleport:Limits:MaxRequestBytes: '99999999999999999999' is not a whole number")]
    [TestCase("--Oteleport:Storage:FlushInterval=soon", "Oteleport:Storage:FlushInterval: 'soon' is not a time span")]
    [TestCase("--Oteleport:Otlp:Grpc:Enable=yes", "Oteleport:Otlp:Grpc:Enable: 'yes' is not true or false")]
    public void A_value_that_does_not_convert_is_named_with_what_it_must_be(string argument, string message)
    {
        Check(argument).Should().ContainSingle().Which.Should().StartWith(message);
    }

    [Test]
    public void An_access_key_given_as_a_value_is_an_error_that_does_not_repeat_the_secret()
    {
        // The binder ignores it: the server would start with no key at all.
        var errors = Check("--Oteleport:AccessKeys:0=the-secret-itself");

        errors.Should().ContainSingle().Which.Should()
            .Contain("Oteleport:AccessKeys:0 is a section").And.Contain("Oteleport:AccessKeys:0:SecretKey")
            .And.NotContain("the-secret-itself");
    }

    [TestCase("--Oteleport:AccessKeys=k", "Oteleport:AccessKeys is a list")]
    [TestCase("--Oteleport:AccessKeys:first:SecretKey=k", "Oteleport:AccessKeys:first: 'first' is not a list index")]
    [TestCase("--Oteleport:Storage:Gzip:Level=9", "Oteleport:Storage:Gzip is a single value")]
    [TestCase("--Oteleport:Storage=s3://bucket/", "Oteleport:Storage is a section")]
    public void The_shape_of_the_section_is_checked(string argument, string message)
    {
        Check(argument).Should().ContainSingle().Which.Should().StartWith(message);
    }

    [Test]
    public void Every_problem_is_reported_at_once()
    {
        Check("--Oteleport:Storage:Flaten=true", "--Oteleport:Storage:Gzip=maybe", "--Oteleport:Api:Htp:Enable=true")
            .Should().HaveCount(3);
    }

    [Test]
    public void Add_oteleport_fails_at_start_up_with_the_key_named_and_not_a_binder_stack_trace()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--Oteleport:Storage:Flaten=true", "--Oteleport:Storage:Gzip=maybe", $"--Oteleport:Storage:Location={WriteFolder()}"],
        });
        builder.Services.AddOteleport();
        using var app = builder.Build();

        var start = () => app.StartAsync();

        var failure = start.Should().ThrowAsync<OptionsValidationException>().GetAwaiter().GetResult().Which;
        failure.Failures.Should().BeEquivalentTo(
            "unknown key Oteleport:Storage:Flaten (known keys in Oteleport:Storage: Location, CursorEncryptionKey, Flatten, Gzip, CompressionLevel, ReadAhead, TimeZone, FlushInterval, Summaries, MaxBatchRecords, Aws)",
            "Oteleport:Storage:Gzip: 'maybe' is not true or false");
    }

    private string WriteFolder() => Path.GetDirectoryName(WriteFile("{}", "marker.json"))!;
}
