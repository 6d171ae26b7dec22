package dev.leakhound.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Spring Boot application: web, Actuator, the Prometheus registry and the starter on its classpath. */
@SpringBootApplication
public class LeakhoundApplication {
}
