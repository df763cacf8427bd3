using System.Net;
using System.Net.Sockets;
using Oteleport.Server;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// The standalone server checks its bucket at start-up: a missing bucket or an unreachable endpoint
/// stops it with exit code 1 and one clear line on stderr, never a stack trace, and leaves no port bound.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class S3StartupCheckTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_missing_bucket_stops_the_server_with_a_message_that_names_it()
    {
        var s3 = S3rverFixture.Server;
        var bucket = "missing-" + Guid.NewGuid().ToString("n")[..12];

        var (exit, stdout, stderr, ports) = await RunAsync(s3, $"s3://{bucket}/otel/");

        exit.Should().Be(1);
        stderr.Should().Contain(bucket).And.Contain("does not exist");
        ShouldHaveNoStackTrace(stderr, stdout);
        ShouldBeFree(ports);
    }

    [Test]
    public async Task An_unreachable_endpoint_stops_the_server_with_a_clear_message()
    {
        var s3 = S3rverFixture.Server;
        var bucket = await s3.CreateBucketAsync();
        var endpoint = $"http://127.0.0.1:{FreePort.Next()}";

        var (exit, stdout, stderr, ports) = await RunAsync(s3, $"s3://{bucket}/otel/", endpoint);

        exit.Should().Be(1);
        stderr.Should().Contain($"cannot reach the S3 endpoint {endpoint}").And.Contain(bucket);
        ShouldHaveNoStackTrace(stderr, stdout);
        ShouldBeFree(ports);
    }

    [Test]
    public async Task An_existing_bucket_passes_the_check()
    {
        var s3 = S3rverFixture.Server;
        var bucket = await s3.CreateBucketAsync();
        await using var server = await S3ServerInstance.StartAsync(s3, bucket);

        using var response = await server.Http.GetAsync("/health");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<(int Exit, string Stdout, string Stderr, int[] Ports)> RunAsync(S3rverServer s3, string location, string? endpoint = null)
    {
        int[] ports = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        var args = S3ServerInstance.Arguments(s3, location, ports[0], ports[1], ports[2], endpoint)
            .Where(a => !a.StartsWith("--Logging:", StringComparison.Ordinal)) // what a user sees by default
            .ToArray();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(TextWriter.Synchronized(stdout));
        Console.SetError(TextWriter.Synchronized(stderr));
        int exit;
        try
        {
            var run = OteleportServer.RunAsync(args);
            if (await Task.WhenAny(run, Task.Delay(RunTimeout)) != run)
            {
                Assert.Fail($"the server did not stop within {RunTimeout.TotalSeconds} s");
            }
            exit = await run;
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
        TestContext.Out.WriteLine($"stdout:\n{stdout}\nstderr:\n{stderr}");
        return (exit, stdout.ToString(), stderr.ToString(), ports);
    }

    private static void ShouldHaveNoStackTrace(params string[] outputs)
    {
        foreach (var output in outputs)
        {
            output.Should().NotContain("   at ").And.NotContain("Exception:", "a start-up failure is one clear message");
        }
    }

    /// <summary>Nothing keeps listening after a failed start.</summary>
    private static void ShouldBeFree(int[] ports)
    {
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            var bind = () => listener.Start();
            bind.Should().NotThrow($"port {port} is released");
            listener.Stop();
        }
    }
}
