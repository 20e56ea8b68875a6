namespace Pacer.Redis;

/// <summary>The Redis store cannot start: its message is one line naming the setting and what to do (never a password).</summary>
public sealed class RedisStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisStoreException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public RedisStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public RedisStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
