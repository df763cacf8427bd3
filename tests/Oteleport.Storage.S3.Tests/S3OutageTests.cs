using System.Diagnostics;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests;

/// <summary>The store while its S3 server is down, and after it is back; with an s3rver of its own.</summary>
[TestFixture]
[NonParallelizable]
public sealed class S3OutageTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(5);
    private static readonly ObjectMetadata Json = new("application/json");

    private S3rverServer _server = null!;
    private S3ObjectStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _server = await S3rverServer.StartNewAsync();
        var bucket = await _server.CreateBucketAsync();
        _store = S3ObjectStore.Create($"s3://{bucket}/otel/", _server.CreateAwsOptions());
    }

    [TearDown]
    public void Stop()
    {
        _store.Dispose();
        _server.Dispose();
    }

    [Test]
    public async Task Every_operation_fails_quickly_as_unavailable_while_the_server_is_down_and_works_when_it_is_back()
    {
        await _store.PutAsync("logs/before.json", "{\"n\":1}"u8.ToArray(), Json);

        _server.Stop();

        await ShouldBeUnavailableQuickly(() => _store.PutAsync("logs/during.json", "{}"u8.ToArray(), Json), "writing");
        await ShouldBeUnavailableQuickly(async () =>
        {
            await foreach (var _ in _store.ListAsync("logs/"))
            {
            }
        }, "listing");
        await ShouldBeUnavailableQuickly(() => _store.GetAsync("logs/before.json"), "reading");
        await ShouldBeUnavailableQuickly(() => _store.CheckAsync(), "checking");

        await _server.StartAsync();

        await _store.CheckAsync();
        await _store.PutAsync("logs/after.json", "{\"n\":2}"u8.ToArray(), Json);
        var keys = new List<string>();
        await foreach (var o in _store.ListAsync("logs/"))
        {
            keys.Add(o.Key);
        }

        keys.Should().Equal("logs/after.json", "logs/before.json");
        await using var stream = await _store.GetAsync("logs/before.json");
        (await new StreamReader(stream!).ReadToEndAsync()).Should().Be("{\"n\":1}");
    }

    [Test]
    public async Task Repeated_failures_stay_quick()
    {
        // The SDK's retry quota drains while a server is down; failures must not get slower as it does.
        _server.Stop();
        for (var i = 0; i < 10; i++)
        {
            await ShouldBeUnavailableQuickly(() => _store.PutAsync($"logs/{i}.json", "{}"u8.ToArray(), Json), "writing");
        }

        await _server.StartAsync();
        await _store.PutAsync("logs/ok.json", "{}"u8.ToArray(), Json);
    }

    private async Task ShouldBeUnavailableQuickly(Func<Task> action, string doing)
    {
        var watch = Stopwatch.StartNew();
        var error = await action.Should().ThrowAsync<StorageUnavailableException>();
        watch.Elapsed.Should().BeLessThan(Quick);
        error.Which.Message.Should().StartWith($"cannot reach the S3 endpoint {_server.Endpoint.ToString().TrimEnd('/')}")
            .And.Contain($"while {doing} s3://");
    }
}
