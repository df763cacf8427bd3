using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Oteleport.Hosting.Lambda;
using Oteleport.Hosting.Lambda.RuntimeApi;
using Oteleport.Hosting.Lambda.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs an ASP.NET Core app as an AWS Lambda function behind a Function URL.</summary>
public static class LambdaHostingServiceCollectionExtensions
{
    /// <summary>
    /// Inside Lambda (the <c>AWS_LAMBDA_RUNTIME_API</c> environment variable is set), replaces the app's
    /// server (Kestrel) with one that takes Function URL events (payload format 2.0) from the Lambda
    /// runtime API, one at a time, and runs each through the app's own middleware and endpoints, so
    /// <c>app.MapOteleport()</c> serves them unchanged. Outside Lambda it does nothing and the app listens
    /// as usual, so one app runs in both places.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Adjusts the hosting settings.</param>
    /// <returns>The services, for chaining.</returns>
    /// <remarks>
    /// Call it after <c>WebApplication.CreateBuilder()</c> (or wherever Kestrel is added); the last server
    /// registration wins. Use <see cref="LambdaHost.RunAsync"/> to run the app, so that a failed start is
    /// reported to Lambda as an init error.
    /// </remarks>
    public static IServiceCollection AddOteleportLambdaHosting(this IServiceCollection services, Action<LambdaHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var runtimeApi = Environment.GetEnvironmentVariable(RuntimeApiClient.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(runtimeApi))
        {
            return services;
        }
        services.AddOptions<LambdaHostingOptions>().Configure(options =>
        {
            configure?.Invoke(options);
            options.RuntimeApi = runtimeApi.Trim();
        });
        // Lambda serves one request at a time: no other Export can join a batch, so waiting would
        // only add latency. A configured interval other than the default is kept.
        services.PostConfigure<Oteleport.Options.OteleportOptions>(oteleport =>
        {
            if (oteleport.Storage.FlushInterval == Oteleport.Options.StorageOptions.DefaultFlushInterval)
            {
                oteleport.Storage.FlushInterval = TimeSpan.Zero;
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<IServer>();
        services.AddSingleton<IServer, LambdaServer>();
        return services;
    }
}
