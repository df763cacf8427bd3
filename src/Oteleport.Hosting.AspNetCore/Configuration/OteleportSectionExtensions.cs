using Microsoft.Extensions.Options;
using Oteleport.Hosting.AspNetCore.Configuration;
using Oteleport.Options;

namespace Microsoft.Extensions.Configuration;

/// <summary>Checks the <c>Oteleport</c> configuration section before it is bound.</summary>
public static class OteleportSectionExtensions
{
    /// <summary>
    /// Checks every key under <c>Oteleport</c>, from any configuration source, against
    /// <see cref="OteleportOptions"/>: a key that names no setting (<c>Oteleport:Storage:Flaten</c>), a value
    /// that does not convert (<c>Oteleport:Storage:Gzip=maybe</c>), and a value where a section belongs
    /// (<c>Oteleport:AccessKeys:0=...</c>) are errors naming the full key. <c>AddOteleport()</c> runs this
    /// check when the options are first built (at start-up); a host that reads the section itself before
    /// then can call it first.
    /// </summary>
    /// <param name="configuration">The app's configuration (the root, not the section).</param>
    /// <exception cref="OptionsValidationException">The section has errors; <see cref="OptionsValidationException.Failures"/> lists them.</exception>
    public static void ValidateOteleportSection(this IConfiguration configuration)
    {
        var errors = OteleportSectionCheck.Check(configuration);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(OteleportOptions), errors);
        }
    }
}
