using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>The OpenTelemetry .NET SDK set up to export to a server with its own OTLP exporter.</summary>
internal static class Senders
{
    /// <summary>Where the SDK's exporter sends one signal: the gRPC base address, or the full OTLP/HTTP URL.</summary>
    public static void Target(this OtlpExporterOptions options, ServerInstance server, OtlpExportProtocol protocol, string signalPath, string? headers)
    {
        options.Protocol = protocol;
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? server.GrpcUrl : server.Otlp(signalPath);
        options.TimeoutMilliseconds = 10_000;
        if (headers is not null)
        {
            options.Headers = headers;
        }
    }

    /// <summary>Samples every activity of one source without a provider, e.g. so that logs written inside one carry its ids.</summary>
    public static System.Diagnostics.ActivityListener SampleAll(string sourceName)
    {
        var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        return listener;
    }

    public static TracerProvider Tracing(ServerInstance server, OtlpExportProtocol protocol, string sourceName, string serviceName, string? headers = null) =>
        Sdk.CreateTracerProviderBuilder()
            .SetSampler(new AlwaysOnSampler())
            .ConfigureResource(resource => resource.Clear().AddService(serviceName))
            .AddSource(sourceName)
            .AddOtlpExporter(options => options.Target(server, protocol, "/v1/traces", headers))
            .Build();

    public static MeterProvider Metrics(ServerInstance server, OtlpExportProtocol protocol, string meterName, string serviceName, Action<MeterProviderBuilder>? views = null)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.Clear().AddService(serviceName))
            .AddMeter(meterName);
        views?.Invoke(builder);
        return builder
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Target(server, protocol, "/v1/metrics", null);
                // Only ForceFlush exports: no timer races with the test.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)TimeSpan.FromHours(1).TotalMilliseconds;
            })
            .Build();
    }

    /// <summary>An ILogger pipeline whose records go to the server; <see cref="LoggingPipeline.ForceFlush"/> exports them.</summary>
    public static LoggingPipeline Logging(ServerInstance server, OtlpExportProtocol protocol, string serviceName)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(options =>
            {
                options.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(serviceName));
                options.AddOtlpExporter(exporter => exporter.Target(server, protocol, "/v1/logs", null));
            }));
        return new LoggingPipeline(services.BuildServiceProvider());
    }
}

/// <summary>The SDK's extension methods under names that do not clash with the OTLP proto types in the tests.</summary>
internal static class Sdks
{
    public static bool Flush(TracerProvider provider) => provider.ForceFlush();

    public static bool Flush(MeterProvider provider) => provider.ForceFlush();

    public static MeterProviderBuilder ExplicitBuckets(this MeterProviderBuilder builder, string instrument, params double[] bounds) =>
        builder.AddView(instrument, new ExplicitBucketHistogramConfiguration { Boundaries = bounds });

    public static MeterProviderBuilder ExponentialBuckets(this MeterProviderBuilder builder, string instrument) =>
        builder.AddView(instrument, new Base2ExponentialBucketHistogramConfiguration());
}

internal sealed class LoggingPipeline(ServiceProvider services) : IDisposable
{
    public ILogger CreateLogger(string category) => services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    public bool ForceFlush() => services.GetRequiredService<LoggerProvider>().ForceFlush();

    public void Dispose() => services.Dispose();
}
