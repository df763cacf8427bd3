using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Testing;
using Oteleport.Testing.Lambda;

namespace Oteleport.Hosting.Lambda.Tests.Publish;

/// <summary>
/// <c>dotnet publish</c> of the sample gives a runnable <c>bootstrap</c> (self-contained, ReadyToRun, for this
/// machine's runtime identifier) that serves Function URL events from a runtime API, end to end. One publish per run.
/// </summary>
[Category("publish")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[NonParallelizable]
public sealed class PublishedBootstrapTests
{
    private const string Key = "published-bootstrap-secret";
    private TempFolder _work = null!;
    private string _bootstrap = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        _work = new TempFolder("lambda-publish");
        _bootstrap = await BootstrapPublisher.PublishAsync(
            BootstrapFlavor.ReadyToRun, Path.Combine(_work.Path, "out"), Path.Combine(_work.Path, "artifacts"), TimeSpan.FromMinutes(8));
    }

    [OneTimeTearDown]
    public void Clean() => _work.Dispose();

    [Test]
    public void The_function_package_has_an_executable_named_bootstrap()
    {
        Path.GetFileName(_bootstrap).Should().Be("bootstrap");
        File.GetUnixFileMode(_bootstrap).Should().HaveFlag(UnixFileMode.UserExecute);
        File.Exists(Path.Combine(_work.Path, "out", "bootstrap.dll")).Should().BeTrue();
        File.Exists(Path.Combine(_work.Path, "out", "libcoreclr.so")).Should().BeTrue("the package is self-contained: provided.al2023 has no .NET");
    }

    [Test]
    public async Task The_published_bootstrap_serves_function_url_events_end_to_end()
    {
        await using var runtime = await LambdaRuntimeApiServer.StartAsync();
        using var storage = new TempFolder("lambda-publish-store");
        using var bootstrap = BootstrapProcess.Start(_bootstrap, runtime.Address, new Dictionary<string, string>
        {
            ["Oteleport__Storage__Location"] = storage.Path,
            ["Oteleport__Storage__CursorEncryptionKey"] = LambdaApp.CursorKey,
            ["Oteleport__AccessKeys__0__SecretKey"] = Key,
        });
        var withKey = new Dictionary<string, string> { ["oteleport-access-key"] = Key };
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var sent = TestSignals.Spans(4, start, TimeSpan.FromSeconds(1));

        var export = await runtime.InvokeAsync(FunctionUrlEvents.Request("POST", "/v1/traces",
            new ExportTraceServiceRequest { ResourceSpans = { sent.ResourceSpans } }.ToByteArray(), "application/x-protobuf", headers: withKey));
        export.Error.Should().BeNull(bootstrap.Output);
        FunctionUrlAnswer.Parse(export.Response!).StatusCode.Should().Be(200, bootstrap.Output);

        var request = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(start), EndTimeUnixNano = TestSignals.UnixNano(start.AddSeconds(4)) };
        var fetch = await runtime.InvokeAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", OtlpJson.Serialize(request), "application/json", textBody: true, headers: withKey));
        var answer = FunctionUrlAnswer.Parse(fetch.Response!);
        answer.StatusCode.Should().Be(200, answer.Body);
        TestSignals.AllSpans(OtlpJson.Parse<FetchTracesDataResponse>(answer.BodyBytes).ResourceSpans).OrderBy(s => s.Name)
            .Should().Equal(TestSignals.AllSpans(sent.ResourceSpans).OrderBy(s => s.Name));
        bootstrap.HasExited.Should().BeFalse("the function waits for the next event");
    }
}
