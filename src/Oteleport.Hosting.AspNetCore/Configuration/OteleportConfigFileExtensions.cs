using Oteleport.Hosting.AspNetCore.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds the Go oteleport server's JSON config file to an <see cref="IConfigurationBuilder"/>.</summary>
public static class OteleportConfigFileExtensions
{
    /// <summary>
    /// Adds a JSON config file in the Go server's shape (<c>access_keys</c>, <c>storage.location</c>,
    /// <c>otlp.grpc.address</c>, ...), mapped under the <c>Oteleport</c> section. The file must exist.
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="path">The file; relative paths are resolved against the current directory.</param>
    /// <returns>The builder, for chaining. Sources added later (e.g. environment variables) override the file.</returns>
    /// <remarks>See <see cref="OteleportConfigFileSource"/> for <c>${NAME}</c> substitution and the errors raised.</remarks>
    public static IConfigurationBuilder AddOteleportConfigFile(this IConfigurationBuilder builder, string path) =>
        builder.AddOteleportConfigFile(path, optional: false);

    /// <summary>
    /// Adds a JSON config file in the Go server's shape, mapped under the <c>Oteleport</c> section.
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="path">The file; relative paths are resolved against the current directory.</param>
    /// <param name="optional">Whether a missing file is fine (it then adds nothing).</param>
    /// <returns>The builder, for chaining. Sources added later (e.g. environment variables) override the file.</returns>
    public static IConfigurationBuilder AddOteleportConfigFile(this IConfigurationBuilder builder, string path, bool optional)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.Add(new OteleportConfigFileSource { Path = path, Optional = optional });
    }
}
