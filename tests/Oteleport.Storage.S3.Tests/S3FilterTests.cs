using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests;

/// <summary>The query filter suite, over S3 (summaries travel as user metadata there).</summary>
public sealed class S3FilterTests : SignalStoreFilterTests
{
    private ServiceProvider? _provider;

    protected override async Task<ISignalStore> CreateStoreAsync()
    {
        var bucket = await S3rverFixture.Server.CreateBucketAsync();
        var aws = S3rverFixture.Server.CreateAwsOptions();
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory, NullLoggerFactory>()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddOteleportCore(o =>
        {
            o.Storage.Location = $"s3://{bucket}/filters/";
            o.Storage.Aws = aws;
            o.Storage.FlushInterval = TimeSpan.Zero;
        }).UseS3Storage();
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<ISignalStore>();
    }

    [OneTimeTearDown]
    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}
