using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>A fact that runs only where a <c>redis-server</c> binary is on PATH; elsewhere it is reported as skipped, with the reason.</summary>
public sealed class RedisServerFactAttribute : FactAttribute
{
    public RedisServerFactAttribute()
    {
        if (RedisServer.Binary is null) Skip = "redis-server is not on PATH (Debian: apt-get install redis-server); the Redis membership test did not run";
    }
}
