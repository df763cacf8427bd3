using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Amazon.S3.Model;
using Oteleport.Options;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests;

/// <summary>What the S3 store does beyond the generic contract, against the shared s3rver.</summary>
[TestFixture]
public sealed class S3ObjectStoreTests
{
    private const string TraceKey = "traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz";
    private readonly List<IDisposable> _disposables = [];

    private static S3rverServer Server => S3rverFixture.Server;

    [TearDown]
    public void DisposeStores()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        _disposables.Clear();
    }

    [Test]
    public async Task Put_stores_content_type_and_content_encoding_on_the_object()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/otel/", Server.CreateAwsOptions()));

        await store.PutAsync(TraceKey, Gzip("{}"), new ObjectMetadata("application/json", "gzip"));
        await store.PutAsync("logs/plain.json", "{}"u8.ToArray(), new ObjectMetadata("application/x-ndjson"));

        var head = await store.Client.GetObjectMetadataAsync(bucket, "otel/" + TraceKey);
        head.Headers.ContentType.Should().Be("application/json");
        head.Headers.ContentEncoding.Should().Be("gzip");

        var plain = await store.Client.GetObjectMetadataAsync(bucket, "otel/logs/plain.json");
        plain.Headers.ContentType.Should().Be("application/x-ndjson");
        plain.Headers.ContentEncoding.Should().BeNullOrEmpty();
    }

    [Test]
    public async Task Stored_body_is_byte_identical_to_what_was_put()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/otel/", Server.CreateAwsOptions()));
        var body = Gzip(string.Concat(Enumerable.Repeat("{\"resourceSpans\":[]}", 3000)));

        await store.PutAsync(TraceKey, body, new ObjectMetadata("application/json", "gzip"));

        var file = Server.ObjectFilePath(bucket, "otel/" + TraceKey);
        File.Exists(file).Should().BeTrue($"s3rver keeps the object at {file}");
        (await File.ReadAllBytesAsync(file)).Should().Equal(body, "no aws-chunked framing may reach the stored object");
    }

    [Test]
    public async Task Chunked_upload_option_reaches_the_sdk()
    {
        // s3rver stores aws-chunked bodies verbatim ("<size>;chunk-signature=..."), which makes the
        // setting visible: with ChunkedUpload the framing is in the file, without it the bytes are as sent.
        var bucket = await Server.CreateBucketAsync();
        var chunked = Server.CreateAwsOptions();
        chunked.ChunkedUpload = true;
        chunked.Checksum = "when_supported";
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/", chunked));
        store.ChunkedUpload.Should().BeTrue();

        await store.PutAsync("chunked.json", "{\"a\":1}"u8.ToArray(), new ObjectMetadata("application/json"));

        var stored = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Server.ObjectFilePath(bucket, "chunked.json")));
        stored.Should().Contain("chunk-signature=");
    }

    [Test]
    public async Task Keys_live_under_the_location_prefix_and_listings_are_relative_to_it()
    {
        var bucket = await Server.CreateBucketAsync();
        var aws = Server.CreateAwsOptions();
        var deep = Track(S3ObjectStore.Create($"s3://{bucket}/team/otel", aws));
        var shallow = Track(S3ObjectStore.Create($"s3://{bucket}/team/", aws));
        var other = Track(S3ObjectStore.Create($"s3://{bucket}/other/", aws));
        var root = Track(S3ObjectStore.Create($"s3://{bucket}", aws));

        deep.KeyPrefix.Should().Be("team/otel/");
        await deep.PutAsync("logs/a.json", "{}"u8.ToArray(), new ObjectMetadata("application/json"));

        var raw = await deep.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        raw.S3Objects.Select(o => o.Key).Should().Equal("team/otel/logs/a.json");

        (await ListAsync(deep, "")).Should().Equal(new StoredObject("logs/a.json", 2));
        (await ListAsync(deep, "logs/", "logs/")).Select(o => o.Key).Should().Equal("logs/a.json");
        (await ListAsync(shallow, "otel/")).Select(o => o.Key).Should().Equal("otel/logs/a.json");
        (await ListAsync(root, "")).Select(o => o.Key).Should().Equal("team/otel/logs/a.json");
        (await ListAsync(other, "")).Should().BeEmpty();
        (await other.GetAsync("logs/a.json")).Should().BeNull();
        await using var stream = await shallow.GetAsync("otel/logs/a.json");
        stream.Should().NotBeNull();
    }

    [Test]
    public async Task Get_returns_the_stream_of_the_object_with_its_length()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/", Server.CreateAwsOptions()));
        var body = Gzip("hello");
        await store.PutAsync("k.gz", body, new ObjectMetadata("application/json", "gzip"));

        await using var stream = await store.GetAsync("k.gz");
        stream!.CanRead.Should().BeTrue();
        stream.Length.Should().Be(body.Length);
        await using var gunzip = new GZipStream(stream, CompressionMode.Decompress);
        (await new StreamReader(gunzip).ReadToEndAsync()).Should().Be("hello");
    }

    [Test]
    public async Task Keys_must_be_relative()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/", Server.CreateAwsOptions()));

        await store.Invoking(s => s.PutAsync("/abs", "x"u8.ToArray(), new ObjectMetadata("text/plain")))
            .Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.GetAsync("")).Should().ThrowAsync<ArgumentException>();
    }

    [Test]
    public async Task Check_passes_on_an_existing_bucket_even_when_empty()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/nothing/here/", Server.CreateAwsOptions()));

        await store.Invoking(s => s.CheckAsync()).Should().NotThrowAsync();
    }

    [Test]
    public async Task Missing_bucket_is_reported_by_every_operation()
    {
        var store = Track(S3ObjectStore.Create("s3://no-such-bucket-oteleport/otel/", Server.CreateAwsOptions()));
        const string message = "S3 bucket 'no-such-bucket-oteleport' does not exist";

        (await store.Invoking(s => s.CheckAsync()).Should().ThrowAsync<StorageUnavailableException>())
            .WithMessage(message);
        (await store.Invoking(s => ListAsync(s, "traces/")).Should().ThrowAsync<StorageUnavailableException>())
            .WithMessage(message);
        (await store.Invoking(s => s.GetAsync("traces/x.json")).Should().ThrowAsync<StorageUnavailableException>())
            .WithMessage(message, "a missing bucket is not a missing object");
        (await store.Invoking(s => s.PutAsync("traces/x.json", "{}"u8.ToArray(), new ObjectMetadata("application/json")))
            .Should().ThrowAsync<StorageUnavailableException>()).WithMessage(message);
    }

    [Test]
    public async Task Unknown_access_key_is_reported_by_check()
    {
        var bucket = await Server.CreateBucketAsync();
        var aws = Server.CreateAwsOptions();
        aws.Credentials = new AwsCredentialsOptions { AccessKeyId = "NOT-S3RVER", SecretAccessKey = "S3RVER" };
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/otel/", aws));

        (await store.Invoking(s => s.CheckAsync()).Should().ThrowAsync<StorageUnavailableException>())
            .WithMessage($"*access key id is not known*s3://{bucket}/otel/*check credentials*");
    }

    [Test]
    public async Task Unreachable_endpoint_is_reported_by_check_within_seconds()
    {
        var port = FreePort.Next();
        var aws = Server.CreateAwsOptions();
        aws.Endpoint = $"http://127.0.0.1:{port}";
        var store = Track(S3ObjectStore.Create("s3://some-bucket/otel/", aws));

        var watch = Stopwatch.StartNew();
        var error = await store.Invoking(s => s.CheckAsync()).Should().ThrowAsync<StorageUnavailableException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        error.WithMessage($"cannot reach the S3 endpoint http://127.0.0.1:{port}* while checking s3://some-bucket/otel/*");
    }

    [Test]
    public async Task A_server_that_accepts_but_never_answers_is_reported_after_the_operation_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = new List<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var client = await silent.AcceptTcpClientAsync(stop.Token);
                    lock (accepted)
                    {
                        accepted.Add(client);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var aws = Server.CreateAwsOptions();
        aws.Endpoint = $"http://127.0.0.1:{port}";
        using var owner = S3ObjectStore.Create("s3://hanging/otel/", aws);
        var store = new S3ObjectStore(owner.Client, "s3://hanging/otel/", chunkedUpload: false)
        {
            OperationTimeout = TimeSpan.FromSeconds(1),
        };

        try
        {
            var watch = Stopwatch.StartNew();
            (await store.Invoking(s => s.PutAsync("k", "{}"u8.ToArray(), new ObjectMetadata("application/json")))
                    .Should().ThrowAsync<StorageUnavailableException>())
                .WithMessage($"the S3 endpoint http://127.0.0.1:{port}* did not answer in time while writing s3://hanging/otel/k");
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await stop.CancelAsync();
            await accepting;
            lock (accepted)
            {
                accepted.ForEach(c => c.Dispose());
            }
        }
    }

    [Test]
    public async Task Caller_cancellation_is_not_turned_into_unavailability()
    {
        var bucket = await Server.CreateBucketAsync();
        var store = Track(S3ObjectStore.Create($"s3://{bucket}/", Server.CreateAwsOptions()));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await store.Invoking(s => s.CheckAsync(cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await store.Invoking(s => s.GetAsync("k", cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    private S3ObjectStore Track(S3ObjectStore store)
    {
        _disposables.Add(store);
        return store;
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static async Task<List<StoredObject>> ListAsync(IObjectStore store, string prefix, string? startAfter = null)
    {
        var result = new List<StoredObject>();
        await foreach (var o in store.ListAsync(prefix, startAfter))
        {
            result.Add(o);
        }

        return result;
    }
}
