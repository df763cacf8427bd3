using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Cli.Replay;
using Oteleport.Signals;
using Oteleport.Testing;

namespace Oteleport.Cli.Tests;

/// <summary>The HTTP exporter's retries against a small real HTTP server that answers as told.</summary>
[TestFixture]
public sealed class ExporterRetryTests
{
    private static readonly RetryPolicy Fast = new() { InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(40), MaxAttempts = 4 };

    private static async Task<(WebApplication App, Uri Endpoint, List<string> Seen)> Serve(Func<int, HttpContext, Task> answer)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var seen = new List<string>();
        app.MapPost("/v1/traces", async context =>
        {
            int n;
            lock (seen)
            {
                seen.Add($"{context.Request.ContentType}|{context.Request.Headers.ContentEncoding}|{context.Request.Headers["x-key"]}");
                n = seen.Count;
            }
            await answer(n, context);
        });
        await app.StartAsync();
        return (app, new Uri($"http://127.0.0.1:{port}/v1/traces"), seen);
    }

    private static OtlpExportSettings Settings(Uri endpoint, bool gzip = false) =>
        new(OtlpProtocol.HttpProtobuf, endpoint, [KeyValuePair.Create("x-key", "secret")], gzip, TimeSpan.FromSeconds(5));

    [TestCase(429)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task Retryable_statuses_are_retried_until_accepted(int status)
    {
        var (app, endpoint, seen) = await Serve(async (n, context) =>
        {
            if (n <= 2)
            {
                context.Response.StatusCode = status;
                context.Response.Headers.RetryAfter = "0";
                return;
            }
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray());
        });
        await using var _ = app;
        var retries = new List<TimeSpan>();
        using var exporter = new HttpOtlpExporter(SignalType.Traces, Settings(endpoint, gzip: true), new RetryPolicy
        {
            InitialBackoff = TimeSpan.FromSeconds(30),
            OnRetry = (_, _, delay) => retries.Add(delay),
        });

        var outcome = await exporter.ExportAsync(new ExportTraceServiceRequest(), CancellationToken.None);

        outcome.Should().Be(ExportOutcome.Accepted);
        seen.Should().HaveCount(3).And.OnlyContain(s => s == "application/x-protobuf|gzip|secret");
        retries.Should().Equal([TimeSpan.Zero, TimeSpan.Zero], "Retry-After: 0 is honoured instead of the 30 s backoff");
    }

    [Test]
    public async Task Retries_are_bounded()
    {
        var (app, endpoint, seen) = await Serve((_, context) =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var _ = app;
        using var exporter = new HttpOtlpExporter(SignalType.Traces, Settings(endpoint), Fast);

        var act = () => exporter.ExportAsync(new ExportTraceServiceRequest(), CancellationToken.None);

        (await act.Should().ThrowAsync<OtlpExportException>()).WithMessage("503 ServiceUnavailable (gave up after 4 attempts)");
        seen.Should().HaveCount(4);
    }

    [Test]
    public async Task A_permanent_error_is_not_retried_and_carries_the_status_message()
    {
        var (app, endpoint, seen) = await Serve(async (_, context) =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new Oteleport.Proto.Rpc.Status { Code = 3, Message = "bad span" }.ToByteArray());
        });
        await using var _ = app;
        using var exporter = new HttpOtlpExporter(SignalType.Traces, Settings(endpoint), Fast);

        var act = () => exporter.ExportAsync(new ExportTraceServiceRequest(), CancellationToken.None);

        (await act.Should().ThrowAsync<OtlpExportException>()).WithMessage("400 BadRequest: bad span");
        seen.Should().ContainSingle();
    }

    [Test]
    public async Task A_partial_success_reports_the_rejected_records()
    {
        var (app, endpoint, _) = await Serve(async (_, context) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}""");
        });
        await using var __ = app;
        using var exporter = new HttpOtlpExporter(SignalType.Traces, Settings(endpoint), Fast);

        var outcome = await exporter.ExportAsync(new ExportTraceServiceRequest(), CancellationToken.None);

        outcome.Should().Be(new ExportOutcome(2, "too old"));
    }

    [Test]
    public async Task A_connection_failure_is_retried_then_reported()
    {
        var endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}/v1/traces");
        var attempts = 0;
        using var exporter = new HttpOtlpExporter(SignalType.Traces, Settings(endpoint), new RetryPolicy
        {
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            MaxAttempts = 3,
            OnRetry = (_, _, _) => attempts++,
        });

        var act = () => exporter.ExportAsync(new ExportTraceServiceRequest(), CancellationToken.None);

        (await act.Should().ThrowAsync<OtlpExportException>()).WithMessage("*refused*(gave up after 3 attempts)");
        attempts.Should().Be(2);
    }

    [Test]
    public void A_grpc_RetryInfo_trailer_gives_the_delay()
    {
        var retryInfo = new Duration { Seconds = 2, Nanos = 500_000_000 }.ToByteString();
        var status = new Oteleport.Proto.Rpc.Status
        {
            Code = (int)StatusCode.ResourceExhausted,
            Details =
            {
                new Any { TypeUrl = "type.googleapis.com/google.rpc.DebugInfo", Value = ByteString.CopyFromUtf8("x") },
                // RetryInfo { Duration retry_delay = 1; }: field 1, length-delimited.
                new Any { TypeUrl = "type.googleapis.com/google.rpc.RetryInfo", Value = ByteString.CopyFrom([0x0A, (byte)retryInfo.Length, .. retryInfo.ToByteArray()]) },
            },
        };
        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };

        GrpcOtlpExporter.RetryDelay(trailers).Should().Be(TimeSpan.FromSeconds(2.5));
        GrpcOtlpExporter.RetryDelay([]).Should().BeNull();
    }
}
