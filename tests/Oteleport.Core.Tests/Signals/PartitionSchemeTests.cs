using Oteleport.Signals;

namespace Oteleport.Core.Tests.Signals;

public class PartitionSchemeTests
{
    private static ulong Nano(string iso) => PartitionScheme.ToUnixNano(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public void Utc_folders_are_the_hour_of_the_time()
    {
        var scheme = new PartitionScheme(TimeZoneInfo.Utc);
        scheme.FolderOf(Nano("2024-10-23T09:59:59.999Z")).Should().Be("2024/10/23/09");
        scheme.FoldersBetween(Nano("2024-10-23T22:30:00Z"), Nano("2024-10-24T01:00:00Z"))
            .Should().Equal("2024/10/23/22", "2024/10/23/23", "2024/10/24/00", "2024/10/24/01");
    }

    [Test]
    public void A_half_hour_zone_never_misses_the_last_local_hour()
    {
        var scheme = new PartitionScheme(TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"));
        // 04:45Z = 10:15 IST, 05:50Z = 11:20 IST
        scheme.FoldersBetween(Nano("2024-10-23T04:45:00Z"), Nano("2024-10-23T05:50:00Z"))
            .Should().Equal("2024/10/23/10", "2024/10/23/11");
    }

    [Test]
    public void A_repeated_local_hour_is_walked_once_when_clocks_go_back()
    {
        var scheme = new PartitionScheme(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        // 2024-11-03: 01:00-02:00 EDT then 01:00-02:00 EST
        var folders = scheme.FoldersBetween(Nano("2024-11-03T04:30:00Z"), Nano("2024-11-03T07:30:00Z"));
        folders.Should().Equal("2024/11/03/00", "2024/11/03/01", "2024/11/03/02");
    }
}
