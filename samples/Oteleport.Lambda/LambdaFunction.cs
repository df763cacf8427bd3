using Microsoft.Extensions.Configuration.Memory;
using Oteleport.Options;
using Oteleport.Server;

namespace Oteleport.Lambda;

/// <summary>
/// The function: the standalone server's configuration (Oteleport__* environment variables, an optional
/// OTELEPORT_CONFIG file in the Go server's shape, appsettings.json), storage by location (S3 in
/// practice), and Oteleport's HTTP endpoints, served by the Lambda runtime API inside Lambda and by
/// Kestrel elsewhere.
/// </summary>
public static class LambdaFunction
{
    /// <summary>Settings that differ from the standalone server's defaults: a Function URL carries no gRPC.</summary>
    private static readonly Dictionary<string, string?> LambdaDefaults = new()
    {
        ["Oteleport:Otlp:Grpc:Enable"] = "false",
        ["Oteleport:Api:Grpc:Enable"] = "false",
    };

    /// <summary>Builds the app; <paramref name="configure"/> runs before Oteleport is added (tests add settings there).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LambdaDefaults });
        if (Environment.GetEnvironmentVariable("OTELEPORT_CONFIG") is { Length: > 0 } configFile)
        {
            builder.Configuration.AddOteleportConfigFile(configFile);
            // Environment variables still win over the file, as in the standalone server.
            builder.Configuration.AddEnvironmentVariables();
        }
        configure?.Invoke(builder);

        var oteleport = builder.Services.AddOteleport();
        var options = builder.Configuration.GetSection(OteleportOptions.SectionName).Get<OteleportOptions>() ?? new OteleportOptions();
        StorageSelection.Apply(oteleport, options);
        builder.Services.AddOteleportLambdaHosting();

        var app = builder.Build();
        app.MapOteleport();
        return app;
    }
}
