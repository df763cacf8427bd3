using Oteleport;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Options;
using Oteleport.Storage;
using Oteleport.Storage.S3;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the S3 object store to an Oteleport server.</summary>
public static class S3OteleportBuilderExtensions
{
    /// <summary>
    /// Stores signals in S3: registers <see cref="IObjectStore"/> as an <see cref="S3ObjectStore"/> built
    /// from <see cref="OteleportOptions"/> (<c>Storage.Location</c> and <c>Storage.Aws</c>), replacing any
    /// store registered before (the last <c>Use...Storage</c> call wins). The options are validated when
    /// they are first used and at host start.
    /// </summary>
    /// <param name="builder">The Oteleport builder.</param>
    /// <param name="location"><c>s3://bucket/prefix/</c>; overrides <c>Storage.Location</c> when given.</param>
    /// <returns>The builder.</returns>
    public static IOteleportBuilder UseS3Storage(this IOteleportBuilder builder, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<OteleportOptions>().ValidateOnStart();

        // One S3 validator, carrying the latest location override.
        services.RemoveAll(d => d.ServiceType == typeof(IValidateOptions<OteleportOptions>) &&
                                d.ImplementationInstance is S3StorageOptionsValidator);
        services.AddSingleton<IValidateOptions<OteleportOptions>>(new S3StorageOptionsValidator(location));

        services.RemoveAll<IObjectStore>();
        services.AddSingleton<IObjectStore>(sp => CreateStore(sp, location));
        return builder;
    }

    private static S3ObjectStore CreateStore(IServiceProvider services, string? location)
    {
        var options = services.GetRequiredService<IOptions<OteleportOptions>>().Value;
        var effective = location ?? options.Storage.Location;
        if (!S3Location.TryParse(effective, out _, out var error))
        {
            // Reached when Storage.Location is a folder: the validator lets folders pass, since another
            // store may have been chosen after UseS3Storage.
            throw new OptionsValidationException(
                Microsoft.Extensions.Options.Options.DefaultName, typeof(OteleportOptions),
                [$"UseS3Storage(): Oteleport:Storage:Location: {error}."]);
        }

        var logger = services.GetService<ILogger<S3ObjectStore>>();
        return S3ObjectStore.Create(effective, options.Storage.Aws, logger);
    }

    private static void RemoveAll(this IServiceCollection services, Func<ServiceDescriptor, bool> match)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (match(services[i]))
            {
                services.RemoveAt(i);
            }
        }
    }
}
