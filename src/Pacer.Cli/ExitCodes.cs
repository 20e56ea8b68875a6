namespace Pacer.Cli;

/// <summary>What <c>pacer</c> exits with.</summary>
internal static class ExitCodes
{
    /// <summary>Everything done: every request of the run succeeded, or the admin command answered.</summary>
    public const int Success = 0;

    /// <summary>The run ended with errored results, or the gateway or a file refused.</summary>
    public const int Failed = 1;

    /// <summary>A bad command line, setting or input file: nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl+C (SIGINT) or SIGTERM: the unanswered requests are sent by the next run.</summary>
    public const int Interrupted = 130;
}
