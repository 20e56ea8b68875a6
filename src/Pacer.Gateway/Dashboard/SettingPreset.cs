namespace Pacer.Gateway.Dashboard;

/// <summary>One preset: the values of <c>maxRequestsPerMinute</c> and <c>maxConcurrentRequests</c> it sets.</summary>
internal sealed record SettingPreset(string Name, int MaxRequestsPerMinute, int MaxConcurrentRequests, string BestFor);
