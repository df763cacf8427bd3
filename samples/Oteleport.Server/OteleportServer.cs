using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Oteleport.Hosting.AspNetCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Oteleport.Options;
using Oteleport.Storage;

namespace Oteleport.Server;

/// <summary>The standalone server: the Go server's listeners and configuration on ASP.NET Core.</summary>
public static class OteleportServer
{
    private const string ListenerItemKey = "oteleport.listener";

    /// <summary>Runs until Ctrl-C or SIGTERM; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        WebApplication app;
        try
        {
            app = Build(args);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConfigurationError(ex))
        {
            await Console.Error.WriteLineAsync($"oteleport: {Describe(ex)}").ConfigureAwait(false);
            return 1;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the app from the command line (<c>--config file.json</c>), environment and appsettings.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = FilterArgs(args, out var configFile) });
        if (configFile is not null)
        {
            builder.Configuration.AddOteleportConfigFile(configFile);
            // Environment variables still win over the file, as everywhere in .NET configuration.
            builder.Configuration.AddEnvironmentVariables();
        }
        configure?.Invoke(builder);

        var oteleport = builder.Services.AddOteleport();
        var options = builder.Configuration.GetSection(OteleportOptions.SectionName).Get<OteleportOptions>() ?? new OteleportOptions();
        StorageSelection.Apply(oteleport, options);
        if (builder.Configuration.GetValue<bool>(DiscardingSignalStore.SettingKey))
        {
            // Benchmark aid (bench/): decode every request, then drop it; see DiscardingSignalStore.
            builder.Services.Replace(ServiceDescriptor.Singleton<ISignalStore, DiscardingSignalStore>());
        }

        var listeners = ListenerPlan.From(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var listener in listeners)
            {
                void Configure(ListenOptions listen)
                {
                    listen.Protocols = listener.Protocols;
                    // Tag each connection with what its listener serves; the middleware below enforces it.
                    listen.Use(next => connection =>
                    {
                        connection.Items[ListenerItemKey] = listener.Surfaces;
                        return next(connection);
                    });
                }
                if (listener.IsLocalhost)
                {
                    kestrel.ListenLocalhost(listener.Port, Configure);
                }
                else
                {
                    kestrel.Listen(listener.EndPoint!, Configure);
                }
            }
        });

        var app = builder.Build();
        app.Use(static (context, next) =>
        {
            var surface = context.GetEndpoint()?.Metadata.GetMetadata<OteleportSurfaceMetadata>();
            if (surface is not null
                && context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerItemKey, out var value) == true
                && value is HashSet<OteleportSurface> served
                && !served.Contains(surface.Surface))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.MapOteleport();
        return app;
    }

    private static string[] FilterArgs(string[] args, out string? configFile)
    {
        configFile = Environment.GetEnvironmentVariable("OTELEPORT_CONFIG");
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--config" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException("--config needs a file path");
                }
                configFile = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        return [.. rest];
    }

    private static bool IsConfigurationError(Exception ex) =>
        ex is OptionsValidationException or InvalidDataException or FileNotFoundException or ArgumentException
            or InvalidOperationException or FormatException or IOException;

    private static string Describe(Exception ex) => ex switch
    {
        OptionsValidationException validation => "invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", validation.Failures),
        IOException io when io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) => io.Message + " (another server is using the port; change the address)",
        _ => ex.Message,
    };

    private const string Usage = """
        Usage: oteleport-server [--config oteleport.json] [--Oteleport:Section:Key=value ...]

        Receives OpenTelemetry signals (OTLP gRPC on :4317, OTLP/HTTP on :4318) and stores them
        (default: ./oteleport-data); serves them back on the REST API (:8080).

          --config FILE   a JSON file in the Go oteleport server's shape (${ENV} substituted);
                          also OTELEPORT_CONFIG=FILE
          -h, --help      this text

        Every setting is also an environment variable, e.g. Oteleport__Storage__Location=s3://bucket/prefix/
        """;
}
