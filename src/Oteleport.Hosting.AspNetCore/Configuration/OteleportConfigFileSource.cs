using Microsoft.Extensions.Configuration;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>
/// A JSON config file in the Go oteleport server's shape and key names (<c>access_keys</c>,
/// <c>storage.location</c>, <c>otlp.grpc.address</c>, ...), read into the <c>Oteleport</c> section so
/// it binds onto <see cref="Oteleport.Options.OteleportOptions"/>.
/// </summary>
/// <remarks>
/// String values may use <c>${NAME}</c> (a required environment variable, like the Go server's
/// <c>must_env</c>), <c>${NAME:-default}</c> and <c>$${</c> for a literal <c>${</c>. Unknown keys, wrong
/// JSON types and missing variables fail when the configuration is built. Jsonnet is not evaluated.
/// The file is read once; it is not watched for changes.
/// </remarks>
public sealed class OteleportConfigFileSource : IConfigurationSource
{
    /// <summary>
    /// The file's path as the user gave it (it prefixes error messages); a relative path is resolved
    /// against the current directory, as the Go server's <c>--config</c>.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>Whether a missing file is fine (it then adds nothing). Default: a missing file is an error.</summary>
    public bool Optional { get; init; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new OteleportConfigFileProvider(this);
}
