using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests;

/// <summary>One s3rver for the whole assembly; tests that stop the server start their own.</summary>
[SetUpFixture]
public sealed class S3rverFixture
{
    private static S3rverServer? s_server;

    /// <summary>The shared server.</summary>
    public static S3rverServer Server => s_server ?? throw new InvalidOperationException("s3rver has not started");

    [OneTimeSetUp]
    public async Task StartAsync() => s_server = await S3rverServer.StartNewAsync();

    [OneTimeTearDown]
    public void Stop()
    {
        s_server?.Dispose();
        s_server = null;
    }
}
