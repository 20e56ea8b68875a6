namespace Pacer.Simulator.Options;

/// <summary>Default values of the simulator's options.</summary>
internal static class SimulatorDefaults
{
    public const string OrganizationId = "3f0c2a8e-5b1d-4c7a-9e62-1d8f4b7a0c55";
    public const long MaxRequestBodyBytes = 32L * 1024 * 1024;
    public const int StandalonePort = 4000;
    public const int RequestsPerMinute = 50;
    public const int InputTokensPerMinute = 30_000;
    public const int OutputTokensPerMinute = 8_000;
    public const int CountTokensRequestsPerMinute = 100;
    public const double BurstSeconds = 60;
    public const int RemainingRounding = 1000;
}
