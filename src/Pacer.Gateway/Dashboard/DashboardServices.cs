using Pacer.Gateway.Alerts;

namespace Pacer.Gateway.Dashboard;

/// <summary>Registers the dashboard, the live history and the alerts.</summary>
internal static class DashboardServices
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<DashboardSessions>();
        services.AddSingleton<TrafficTally>();
        services.AddSingleton<LiveHistory>();
        services.AddSingleton<AlertBoard>();
        services.AddSingleton<AlertWebhook>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWebhook>());
        services.AddSingleton<LiveMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveMonitor>());

        // The webhook's own client: no Pacer handler, and no request logging (the URL often carries a token).
        services.AddHttpClient(AlertWebhook.ClientName).RemoveAllLoggers();
        return services;
    }
}
