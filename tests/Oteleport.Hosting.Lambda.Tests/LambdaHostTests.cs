using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oteleport.Lambda;
using Oteleport.Testing;
using Oteleport.Testing.Lambda;

namespace Oteleport.Hosting.Lambda.Tests;

/// <summary>One app for both places: Kestrel outside Lambda, the runtime API inside; a failed start is an init error.</summary>
[NonParallelizable]
public sealed class LambdaHostTests
{
    [Test]
    public async Task Outside_lambda_hosting_adds_nothing_and_kestrel_serves()
    {
        Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API").Should().BeNull("the tests run outside Lambda");
        LambdaHost.IsRunningInLambda.Should().BeFalse();
        using var folder = new TempFolder("lambda-kestrel");
        var port = FreePort.Next();

        await using var app = LambdaFunction.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Oteleport:Storage:Location"] = folder.Path });
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
        });
        await app.StartAsync();

        app.Services.GetRequiredService<IServer>().GetType().Name.Should().Be("KestrelServerImpl");
        using var http = new HttpClient();
        (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/health"))).Should().Be("{\"status\":\"ok\"}");
        await app.StopAsync();
    }

    [Test]
    public void Inside_lambda_the_server_is_replaced()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IServer, PlaceholderServer>();
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        try
        {
            services.AddOteleportLambdaHosting(o => o.DeadlineMargin = TimeSpan.FromSeconds(1));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
        }

        services.Where(d => d.ServiceType == typeof(IServer)).Should().ContainSingle()
            .Which.ImplementationType!.Name.Should().Be("LambdaServer");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LambdaHostingOptions>>().Value;
        options.RuntimeApi.Should().Be("127.0.0.1:9001");
        options.DeadlineMargin.Should().Be(TimeSpan.FromSeconds(1));
    }

    [TestCase(null, 0)]
    [TestCase("00:00:00.050", 50)]
    public void Inside_lambda_group_commit_waits_for_nothing_unless_configured(string? configured, int expectedMilliseconds)
    {
        var services = new ServiceCollection();
        services.AddOptions<Oteleport.Options.OteleportOptions>().Configure(o =>
        {
            if (configured is not null)
            {
                o.Storage.FlushInterval = TimeSpan.Parse(configured, System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        try
        {
            services.AddOteleportLambdaHosting();
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
        }
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Oteleport.Options.OteleportOptions>>().Value
            .Storage.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Test]
    public async Task A_store_that_fails_its_start_check_is_posted_as_an_init_error_and_rethrown()
    {
        await using var runtime = await LambdaRuntimeApiServer.StartAsync();
        var closedPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Oteleport:Storage:Location"] = "s3://no-such-bucket/otel/",
            ["Oteleport:Storage:Aws:Endpoint"] = $"http://127.0.0.1:{closedPort}",
            ["Oteleport:Storage:Aws:Region"] = "us-east-1",
            ["Oteleport:Storage:Aws:UseS3PathStyle"] = "true",
            ["Oteleport:Storage:Aws:Credentials:AccessKeyId"] = "test",
            ["Oteleport:Storage:Aws:Credentials:SecretAccessKey"] = "test",
        };

        var thrown = await RunInLambdaAsync(runtime, settings);

        thrown.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("cannot use its storage");
        var error = runtime.InitErrors.Should().ContainSingle().Subject;
        error.ErrorType.Should().Be("System.InvalidOperationException");
        error.ErrorTypeHeader.Should().Be("System.InvalidOperationException");
        error.ErrorMessage.Should().Contain("s3://no-such-bucket/otel/");
        error.StackTrace.Should().NotBeEmpty();
        runtime.NextRequests.Should().Be(0, "a function that failed to start takes no event");
    }

    [Test]
    public async Task A_storage_folder_that_is_a_file_is_an_init_error()
    {
        await using var runtime = await LambdaRuntimeApiServer.StartAsync();
        using var folder = new TempFolder("lambda-init");
        var notAFolder = Path.Combine(folder.Path, "a-file");
        await File.WriteAllTextAsync(notAFolder, "a file where the storage folder should be");

        var thrown = await RunInLambdaAsync(runtime, new Dictionary<string, string?> { ["Oteleport:Storage:Location"] = notAFolder });

        thrown.Should().NotBeNull();
        runtime.InitErrors.Should().ContainSingle().Which.ErrorMessage.Should().Contain(notAFolder);
        runtime.NextRequests.Should().Be(0);
    }

    [Test]
    public async Task A_configuration_error_while_building_is_an_init_error_too()
    {
        await using var runtime = await LambdaRuntimeApiServer.StartAsync();
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", runtime.Address);
        Environment.SetEnvironmentVariable("OTELEPORT_CONFIG", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json"));
        try
        {
            var run = () => LambdaHost.RunAsync(() => LambdaFunction.Build([]));
            await run.Should().ThrowAsync<Exception>();
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
            Environment.SetEnvironmentVariable("OTELEPORT_CONFIG", null);
        }

        runtime.InitErrors.Should().ContainSingle().Which.ErrorMessage.Should().Contain("missing-");
    }

    /// <summary>Runs the sample as inside Lambda with extra settings; returns what <see cref="LambdaHost.RunAsync"/> threw.</summary>
    private static async Task<Exception?> RunInLambdaAsync(LambdaRuntimeApiServer runtime, Dictionary<string, string?> settings)
    {
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", runtime.Address);
        try
        {
            await LambdaHost.RunAsync(() => LambdaFunction.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.ClearProviders();
            }));
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
        }
    }

    private sealed class PlaceholderServer : IServer
    {
        public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();

        public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
