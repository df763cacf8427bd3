using Microsoft.Extensions.DependencyInjection;

namespace Oteleport;

/// <summary>
/// Returned by <c>AddOteleport()</c>; storage providers and other add-ons extend it
/// (<c>.UseFileSystemStorage(path)</c>, <c>.UseS3Storage()</c>).
/// </summary>
public interface IOteleportBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

internal sealed class OteleportBuilder(IServiceCollection services) : IOteleportBuilder
{
    public IServiceCollection Services { get; } = services;
}
