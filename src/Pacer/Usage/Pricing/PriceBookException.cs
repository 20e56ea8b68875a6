namespace Pacer.Usage;

/// <summary>Thrown when a price book file cannot be read; the message names the file and the bad entry.</summary>
public sealed class PriceBookException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PriceBookException(string source, string message, Exception? innerException = null)
        : base($"Price book '{source}': {message}", innerException)
    {
        Source = source;
    }

    /// <summary>Gets the file (or <c>built-in</c>) that holds the bad entry.</summary>
    public new string Source { get; }
}
