using Oteleport.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="OteleportClient"/>.</summary>
public static class OteleportClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OteleportClient"/> as a typed client of <c>IHttpClientFactory</c>, configured by
    /// <paramref name="configure"/> (which may also be left out and the options bound elsewhere).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the endpoint, access key and format.</param>
    /// <returns>The HTTP client builder, to add handlers, resilience or a timeout.</returns>
    public static IHttpClientBuilder AddOteleportClient(this IServiceCollection services, Action<OteleportClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OteleportClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        return services.AddHttpClient<OteleportClient>();
    }
}
