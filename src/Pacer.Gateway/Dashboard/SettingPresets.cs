namespace Pacer.Gateway.Dashboard;

/// <summary>The seed's three strategies, each one click on the dashboard: requests per minute and concurrent requests.</summary>
internal static class SettingPresets
{
    public static IReadOnlyList<SettingPreset> All { get; } =
    [
        new("Conservative", 50, 5, "New applications, testing: very safe."),
        new("Balanced", 100, 10, "Production with moderate traffic."),
        new("Aggressive", 200, 20, "High traffic on a premium plan: watch for 429s."),
    ];
}
