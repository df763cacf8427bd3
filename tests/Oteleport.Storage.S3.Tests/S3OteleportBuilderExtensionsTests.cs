using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Oteleport.Options;

namespace Oteleport.Storage.S3.Tests;

[TestFixture]
public sealed class S3OteleportBuilderExtensionsTests
{
    [Test]
    public async Task Registers_an_s3_store_from_the_options_that_works_against_the_server()
    {
        var bucket = await S3rverFixture.Server.CreateBucketAsync();
        using var provider = Build(o => o.Storage.Location = $"s3://{bucket}/otel", b => b.UseS3Storage());

        var store = provider.GetRequiredService<IObjectStore>().Should().BeOfType<S3ObjectStore>().Subject;
        store.Bucket.Should().Be(bucket);
        store.KeyPrefix.Should().Be("otel/");
        store.ChunkedUpload.Should().BeFalse();
        provider.GetRequiredService<IObjectStore>().Should().BeSameAs(store, "the store is a singleton");

        await store.CheckAsync();
        await store.PutAsync("logs/x.json", "{}"u8.ToArray(), new ObjectMetadata("application/json"));
        (await store.GetAsync("logs/x.json")).Should().NotBeNull();
    }

    [Test]
    public void The_location_argument_overrides_the_options()
    {
        using var provider = Build(o => o.Storage.Location = "s3://from-options/a/", b => b.UseS3Storage("s3://from-argument/b"));

        var store = (S3ObjectStore)provider.GetRequiredService<IObjectStore>();
        store.Bucket.Should().Be("from-argument");
        store.KeyPrefix.Should().Be("b/");
    }

    [Test]
    public void The_last_storage_registration_wins()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IObjectStore, PlaceholderStore>();
        var builder = new TestBuilder(services);
        builder.UseS3Storage("s3://first/").UseS3Storage("s3://second/");
        services.Configure<OteleportOptions>(o => o.Storage.Aws = S3rverFixture.Server.CreateAwsOptions());

        services.Count(d => d.ServiceType == typeof(IObjectStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<OteleportOptions>)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        ((S3ObjectStore)provider.GetRequiredService<IObjectStore>()).Bucket.Should().Be("second");

        // And a store registered after UseS3Storage replaces it in turn.
        services.RemoveAll<IObjectStore>();
        services.AddSingleton<IObjectStore, PlaceholderStore>();
        using var later = services.BuildServiceProvider();
        later.GetRequiredService<IObjectStore>().Should().BeOfType<PlaceholderStore>();
    }

    [TestCase("s3://")]
    [TestCase("s3:///otel/")]
    public void A_location_without_a_bucket_fails_validation(string location)
    {
        using var provider = Build(o => o.Storage.Location = location, b => b.UseS3Storage());

        var options = () => provider.GetRequiredService<IOptions<OteleportOptions>>().Value;
        options.Should().Throw<OptionsValidationException>().WithMessage("*Storage:Location*names no bucket*");
        var store = () => provider.GetRequiredService<IObjectStore>();
        store.Should().Throw<OptionsValidationException>().WithMessage("*names no bucket*");
    }

    [Test]
    public void A_location_argument_without_a_bucket_fails_validation()
    {
        using var provider = Build(_ => { }, b => b.UseS3Storage("s3:///otel/"));

        var options = () => provider.GetRequiredService<IOptions<OteleportOptions>>().Value;
        options.Should().Throw<OptionsValidationException>().WithMessage("*names no bucket*");
    }

    [Test]
    public void A_bad_checksum_mode_fails_validation_at_start()
    {
        using var provider = Build(o =>
        {
            o.Storage.Location = "s3://bucket/";
            o.Storage.Aws.Checksum = "sometimes";
        }, b => b.UseS3Storage());

        var options = () => provider.GetRequiredService<IOptions<OteleportOptions>>().Value;
        options.Should().Throw<OptionsValidationException>()
            .WithMessage("*Storage:Aws:Checksum must be 'when_supported' or 'when_required', not 'sometimes'*");

        // UseS3Storage also asks the host to validate at start.
        var atStart = () => provider.GetRequiredService<IStartupValidator>().Validate();
        atStart.Should().Throw<OptionsValidationException>().WithMessage("*sometimes*");
    }

    [Test]
    public void Half_given_credentials_and_a_bad_endpoint_fail_validation()
    {
        using var provider = Build(o =>
        {
            o.Storage.Location = "s3://bucket/";
            o.Storage.Aws.Endpoint = "localhost:9000";
            o.Storage.Aws.Credentials = new AwsCredentialsOptions { AccessKeyId = "AKID" };
        }, b => b.UseS3Storage());

        var options = () => provider.GetRequiredService<IOptions<OteleportOptions>>().Value;
        var error = options.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().HaveCount(2);
        error.Message.Should().Contain("Aws:Endpoint must be an absolute http:// or https:// URL").And
            .Contain("Aws:Credentials needs both AccessKeyId and SecretAccessKey");
    }

    [Test]
    public void A_folder_location_is_an_error_only_when_the_s3_store_is_built()
    {
        using var provider = Build(o => o.Storage.Location = "./oteleport-data", b => b.UseS3Storage());

        provider.GetRequiredService<IOptions<OteleportOptions>>().Value.Storage.Location.Should().Be("./oteleport-data");
        var store = () => provider.GetRequiredService<IObjectStore>();
        store.Should().Throw<OptionsValidationException>().WithMessage("*UseS3Storage()*does not start with s3://*");
    }

    private static ServiceProvider Build(Action<OteleportOptions> configure, Action<IOteleportBuilder> use)
    {
        var services = new ServiceCollection();
        services.Configure<OteleportOptions>(o =>
        {
            o.Storage.Aws = S3rverFixture.Server.CreateAwsOptions();
            configure(o);
        });
        use(new TestBuilder(services));
        return services.BuildServiceProvider();
    }

    private sealed class TestBuilder(IServiceCollection services) : IOteleportBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private sealed class PlaceholderStore : IObjectStore
    {
        public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CheckAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
