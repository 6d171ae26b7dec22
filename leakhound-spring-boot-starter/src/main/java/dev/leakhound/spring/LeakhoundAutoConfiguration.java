package dev.leakhound.spring;

import dev.leakhound.micrometer.LeakDetector;
import dev.leakhound.micrometer.LeakhoundMetrics;
import dev.leakhound.micrometer.ThreadCensus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Registers one {@link ThreadCensus} (a capture of the threads reused for {@code leakhound.capture-max-age}),
 * {@link LeakhoundMetrics} on it (Spring Boot binds every {@code MeterBinder} bean to its registries), the
 * {@code leakhound} Actuator endpoint, and, with {@code leakhound.detector.enabled=true}, a {@link LeakDetector}
 * whose thread stops when the context closes. Each bean yields to one the application defines.
 */
@AutoConfiguration
@EnableConfigurationProperties(LeakhoundProperties.class)
public class LeakhoundAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public ThreadCensus leakhoundThreadCensus(LeakhoundProperties properties) {
        return new ThreadCensus(properties.getCaptureMaxAge());
    }

    @Bean
    @ConditionalOnMissingBean
    public LeakhoundMetrics leakhoundMetrics(ThreadCensus census) {
        return new LeakhoundMetrics(census);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "leakhound.detector", name = "enabled", havingValue = "true")
    public LeakDetector leakhoundDetector(ThreadCensus census, LeakhoundProperties properties) {
        LeakhoundProperties.Detector d = properties.getDetector();
        return new LeakDetector(census, d.getInterval(), d.getWindow(), d.getMinGrowth());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public LeakhoundEndpoint leakhoundEndpoint(ThreadCensus census, ObjectProvider<LeakDetector> detector) {
        return new LeakhoundEndpoint(census, detector::getIfAvailable);
    }
}
